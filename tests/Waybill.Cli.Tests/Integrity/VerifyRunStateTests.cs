using System.Diagnostics;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Integrity;

/// <summary>verify beside a live run, after a killed one, and after an external input moved on.</summary>
public sealed class VerifyRunStateTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Job => _temp.Combine("out", "j");

    private const string SlowPipeline = """
        name: slow
        stages:
          - id: 01_quick
            run: echo quick > {out.text}
            outputs: { text: text.txt }
          - id: 02_slow
            inputs: { text: 01_quick.text }
            run: sleep 60; cp {in.text} {out.copy}
            outputs: { copy: copy.txt }
        """;

    /// <summary>Starts the slow pipeline and returns once its second stage is running.</summary>
    private async Task<Process> StartSlowRun()
    {
        _temp.Write("waybill.yaml", SlowPipeline);
        var run = CliProcess.Start(_temp.Path, null, "run", "waybill.yaml", "--job-id", "j", "--jobs", "1");
        var started = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(Job, "02_slow", "stage.log")))
        {
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(60) && !run.HasExited, "the slow stage never started");
            await Task.Delay(100);
        }
        return run;
    }

    [Fact]
    public async Task A_job_under_a_live_run_is_not_called_interrupted()
    {
        using var run = await StartSlowRun();
        try
        {
            var result = await CliProcess.RunAsync(_temp.Path, "verify", Job);
            Assert.True(result.ExitCode == 0, result.All);
            Assert.Contains("a run holds the job (waybill run (pid", result.Stdout);
            Assert.DoesNotContain("interrupted run", result.Stdout);
        }
        finally
        {
            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_killed_run_is_reported_as_an_interrupted_run()
    {
        using (var run = await StartSlowRun())
        {
            run.Kill(entireProcessTree: true); // SIGKILL: no chance to record how the stage ended
            await run.WaitForExitAsync();
        }
        var result = await CliProcess.RunAsync(_temp.Path, "verify", Job, "--json");
        Assert.Equal(1, result.ExitCode);
        var findings = JsonNode.Parse(result.Stdout)!["findings"]!.AsArray();
        var interrupted = Assert.Single(findings, f => f!["kind"]!.GetValue<string>() == "interrupted_run")!;
        Assert.Equal("error", interrupted["severity"]!.GetValue<string>());
        Assert.Contains("no run holds the job: interrupted run", interrupted["message"]!.GetValue<string>());
        // What the first stage finished is still sound, but its seal is only the unsealed journal's word, and verify says so.
        var unsealed = Assert.Single(findings, f => f!["kind"]!.GetValue<string>() == "journal_unsealed")!;
        Assert.Equal(("warning", "01_quick", ".waybill/journal.jsonl"),
            ((string?)unsealed["severity"], (string?)unsealed["stage"], (string?)unsealed["path"]));
        Assert.DoesNotContain(findings, f => f!["stage"]?.GetValue<string>() == "01_quick" && f["severity"]!.GetValue<string>() == "error");
    }

    [Fact]
    public async Task A_changed_or_missing_external_input_is_a_warning_not_an_error()
    {
        _temp.Write("data/source.txt", "version one\n");
        _temp.Write("waybill.yaml", """
            name: ext
            stages:
              - id: 01_copy
                inputs: { source: data/source.txt }
                run: cp {in.source} {out.copy}
                outputs: { copy: copy.txt }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);

        _temp.Write("data/source.txt", "version two, longer\n");
        var changed = await CliProcess.RunAsync(_temp.Path, "verify", Job);
        Assert.True(changed.ExitCode == 0, changed.All);
        Assert.Contains($"external input {_temp.Combine("data", "source.txt")} was changed", changed.Stdout);
        Assert.Contains("the job is sound but out of date", changed.Stdout);
        Assert.Contains("1 problems (0 errors, 1 warnings)", changed.Stdout);

        File.Delete(_temp.Combine("data", "source.txt"));
        var missing = await CliProcess.RunAsync(_temp.Path, "verify", Job);
        Assert.Equal(0, missing.ExitCode);
        Assert.Contains($"external input {_temp.Combine("data", "source.txt")} is missing", missing.Stdout);
    }
}
