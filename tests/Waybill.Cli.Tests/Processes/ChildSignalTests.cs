using System.Diagnostics;
using System.Globalization;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Processes;

/// <summary>
/// The signal dispositions a command starts with: the ones the user's shell made the run ignore (nohup's SIGHUP, say)
/// stay ignored, as exec keeps them; SIGINT, SIGTERM and SIGPIPE are always back at their defaults.
/// </summary>
public sealed class ChildSignalTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Signals_the_run_was_started_ignoring_stay_ignored_but_interrupt_terminate_and_pipe_do_not()
    {
        // grep reads its own status: what exec handed it.
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_signals
                run: grep -E '^Sig(Blk|Ign):' /proc/self/status > {out.status}
                outputs: { status: status.txt }
            """);
        // As `nohup` and a shell's background job do: SIGHUP, SIGINT and SIGUSR2 ignored before the run starts.
        var start = new ProcessStartInfo("/bin/sh", ["-c", $"trap '' HUP INT USR2; exec {CliProcess.ShellCommand} run waybill.yaml --job-id s"])
        {
            WorkingDirectory = _temp.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var run = Process.Start(start)!;
        var output = run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await run.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(run.ExitCode == 0, await output + await errors);

        var masks = File.ReadAllLines(_temp.Combine("out", "s", "01_signals", "status.txt"))
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0], p => ulong.Parse(p[1].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        static bool Ignored(ulong mask, int signal) => (mask & (1UL << (signal - 1))) != 0;
        Assert.Equal(0UL, masks["SigBlk"]);
        Assert.True(Ignored(masks["SigIgn"], 1), "SIGHUP");
        Assert.True(Ignored(masks["SigIgn"], 12), "SIGUSR2");
        foreach (var signal in new[] { 2, 13, 15, 17 }) Assert.False(Ignored(masks["SigIgn"], signal), $"signal {signal}");
    }
}
