using System.Diagnostics;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests;

/// <summary>Pretty on a terminal (a real pseudo-terminal through script(1)), plain when piped.</summary>
public sealed class TerminalTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Pipeline = "stages:\n  - id: 01_a\n    run: echo a > {out.a}\n    outputs: { a: a.txt }\n  - id: 02_b\n    inputs: { a: 01_a.a }\n    run: cp {in.a} {out.b}\n    outputs: { b: b.txt }\n";

    [Fact]
    public async Task On_a_terminal_the_run_shows_live_progress_colours_and_a_table()
    {
        _temp.Write("waybill.yaml", Pipeline);
        var command = $"{CliProcess.ShellCommand} run waybill.yaml --job-id t";
        var info = new ProcessStartInfo("script", ["-qec", command, "/dev/null"]) { WorkingDirectory = _temp.Path, RedirectStandardOutput = true, RedirectStandardInput = true };
        info.Environment["TERM"] = "xterm-256color";
        info.Environment.Remove("NO_COLOR");
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("2/2 stages", output);
        Assert.Contains("\u001b[", output);
        Assert.Contains("╭", output);
    }

    [Fact]
    public async Task When_piped_the_output_has_no_escape_codes_and_keeps_the_log_format()
    {
        _temp.Write("waybill.yaml", Pipeline);
        var run = await CliProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["NO_COLOR"] = "" }, "run", "waybill.yaml", "--job-id", "p");
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("\u001b", run.Stdout);
        Assert.Matches(@"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[pipeline\] \[INFO\] ✓ Stage b: SUCCESS", run.Stdout);
    }
}
