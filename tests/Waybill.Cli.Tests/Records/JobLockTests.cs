using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Records;

/// <summary>exec-stage holds the job like run does; status tells a live run from a killed one; clean on a read-only mount says so.</summary>
public sealed class JobLockTests : IDisposable
{
    // 02_wait waits until the test creates the gate file, so the test decides how long the run holds the job; it also ends
    // when the test's folder is gone, so a command a killed run left behind never outlives the test.
    private const string Pipeline = """
        name: locked
        stages:
          - id: 01_first
            run: echo first > {out.o}
            outputs: { o: first.txt }
          - id: 02_wait
            run: 'while [ ! -f "$GATE" ] && [ -d "$(dirname "$GATE")" ]; do sleep 0.05; done; echo done > {out.done}'
            outputs: { done: done.txt }
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private Dictionary<string, string> Gate => new() { ["GATE"] = _temp.Combine("gate") };

    private async Task<System.Diagnostics.Process> StartHeldRun()
    {
        _temp.Write("waybill.yaml", Pipeline);
        var run = CliProcess.Start(_temp.Path, Gate, "run", "waybill.yaml", "--job-id", "j", "--jobs", "1");
        var stageLog = _temp.Combine("out", "j", "02_wait", "stage.log");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(File.Exists(stageLog) && File.ReadAllText(stageLog).Contains("command: ", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline && !run.HasExited, "the run never reached its waiting stage");
            await Task.Delay(50);
        }
        return run;
    }

    [Fact]
    public async Task Exec_stage_is_refused_while_a_run_holds_the_job_and_runs_once_it_has_finished()
    {
        using var run = await StartHeldRun();
        var runId = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", ".waybill", "run.lock.json")))!["run_id"]!.GetValue<string>();
        var first = _temp.Combine("out", "j", "01_first", "manifest.json");
        var before = File.ReadAllText(first);

        var refused = await CliProcess.RunAsync(_temp.Path, Gate, "exec-stage", "j", "01_first");

        Assert.Equal(4, refused.ExitCode);
        Assert.Contains($"job j is in use by waybill run (pid {run.Id} on {Environment.MachineName}, run {runId}", refused.Stderr);
        Assert.Equal(before, File.ReadAllText(first)); // nothing of the stage ran

        _temp.Write("gate", "");
        await run.WaitForExitAsync();
        Assert.Equal(0, run.ExitCode);
        var after = await CliProcess.RunAsync(_temp.Path, Gate, "exec-stage", "j", "01_first");
        Assert.True(after.ExitCode == 0, after.All);
        Assert.Contains("01_first: success", after.Stdout);
        var verify = await CliProcess.RunAsync(_temp.Path, "verify", "j");
        Assert.True(verify.ExitCode == 0, verify.All);
    }

    [Fact]
    public async Task Status_calls_a_killed_run_interrupted_and_a_live_one_running()
    {
        using var run = await StartHeldRun();
        var live = await CliProcess.RunAsync(_temp.Path, "status", "j");
        Assert.Contains("— RUNNING (", live.Stdout);

        run.Kill(entireProcessTree: true);
        await run.WaitForExitAsync();
        // The waiting command runs in a process group of its own, which a kill of the run leaves behind: the gate lets it end.
        _temp.Write("gate", "");
        var killed = await CliProcess.RunAsync(_temp.Path, "status", "j");

        Assert.True(killed.ExitCode == 0, killed.All);
        Assert.Contains("— INTERRUPTED (no live run holds the lock) (", killed.Stdout);
        Assert.DoesNotContain("RUNNING", killed.Stdout);
        Assert.Contains("'waybill resume j'", killed.Stdout);
    }

    [Fact]
    public async Task Clean_on_a_read_only_file_system_says_so_rather_than_in_use()
    {
        using var disk = Tmpfs.Mount(_temp.Combine("disk"), 8 * 1024 * 1024);
        File.WriteAllText(Path.Combine(disk.Path, "waybill.yaml"), """
            name: ro
            stages:
              - id: 01_a
                run: echo a > {out.o}
                outputs: { o: a.txt }
            """);
        var run = await CliProcess.RunAsync(disk.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
        disk.RemountReadOnly();

        var clean = await CliProcess.RunAsync(disk.Path, "clean", "j", "--outputs-of", "01_a");

        Assert.Equal(3, clean.ExitCode);
        Assert.Contains($"job j cannot be changed: {disk.Path} (tmpfs", clean.Stderr);
        Assert.Contains("is a read-only file system (EROFS)", clean.Stderr);
        Assert.DoesNotContain("in use", clean.Stderr);
        Assert.True(File.Exists(Path.Combine(disk.Path, "out", "j", "01_a", "a.txt")));
    }
}
