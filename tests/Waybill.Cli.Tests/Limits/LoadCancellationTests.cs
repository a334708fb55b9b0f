using System.Diagnostics;
using System.Globalization;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Limits;

/// <summary>SIGTERM while a pipeline file is being read ends validate and run at once, with exit 130 and a message.</summary>
public sealed class LoadCancellationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    public async Task Sigterm_during_a_read_that_never_ends_stops_the_command_promptly(string command)
    {
        // A named pipe whose writer never finishes: the read blocks, as on a hung network file system.
        var fifo = _temp.Combine("waybill.yaml");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync();
        var args = command == "run" ? [command, "waybill.yaml", "--job-id", "j"] : new[] { command, "waybill.yaml" };
        using var process = CliProcess.Start(_temp.Path, null, args);
        try
        {
            // Opening the pipe for writing returns once the command has opened it for reading: it is now loading.
            using var opened = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await using var writer = await Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write), opened.Token)
                .WaitAsync(opened.Token);
            await writer.WriteAsync("stages:\n  - id: 01_a\n"u8.ToArray());
            await writer.FlushAsync();
            var clock = Stopwatch.StartNew();
            Assert.Equal(0, Kill(process.Id, "TERM"));
            var stderr = process.StandardError.ReadToEndAsync();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(exit.Token);
            clock.Stop();

            Assert.Equal(130, process.ExitCode);
            Assert.Contains("cancelled while loading the pipeline file 'waybill.yaml': nothing was run or written", await stderr);
            Assert.False(Directory.Exists(_temp.Combine("out")));
            ReliabilityFigures.Record($"Exit after SIGTERM during a blocked pipeline-file read ({command})",
                $"{clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static int Kill(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        return kill.ExitCode;
    }
}
