using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Processes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Controls;

/// <summary>
/// <c>timeout:</c> through the real CLI: the whole process tree stops, the stage fails "timed out after …", and the run
/// goes on as after any failure.
/// </summary>
public sealed class TimeoutTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A shell that starts a background child, adds both pids to the stage's lists, then waits far past the limit.</summary>
    private const string Sleeper = """
            run: |
              sleep 30 &
              echo $! >> "$WAYBILL_STAGE_DIR/child.pid"
              echo $$ >> "$WAYBILL_STAGE_DIR/shell.pid"
              sleep 30
        """;

    [Fact]
    public async Task A_command_past_its_timeout_fails_with_its_whole_process_tree_stopped_and_downstream_skipped()
    {
        _temp.Write("waybill.yaml", $"""
            stages:
              - id: 01_slow
            {Sleeper}
                timeout: 1s
              - id: 02_after
                after: [01_slow]
                run: 'true'
            """);
        var job = _temp.Combine("out", "j");
        try
        {
            var run = await CliRun.RunAsync(_temp.Path, TimeSpan.FromSeconds(60), null, "run", "waybill.yaml", "--job-id", "j");

            Assert.True(run.ExitCode == 1, run.Output);
            JobAssert.ManifestsAreValid(job);
            var manifest = Manifest(job, "01_slow");
            Assert.Equal("failed", manifest["status"]!.GetValue<string>());
            Assert.Equal("timed out after 1s", manifest["status_reason"]!.GetValue<string>());
            Assert.Equal(["timed out after 1s"], manifest["errors"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()));
            Assert.Null(manifest["tries"]); // no retries: nothing to list
            Assert.Contains("[stage.slow] [ERROR] timed out after 1s", File.ReadAllText(Path.Combine(job, "01_slow", "stage.log")));
            Assert.Matches(@"❌ Stage slow: FAILED \(\d+\.\ds\): timed out after 1s", PipelineLog(job));
            var after = Manifest(job, "02_after");
            Assert.Equal("skipped", after["status"]!.GetValue<string>());
            Assert.Equal("upstream failed: 01_slow", after["status_reason"]!.GetValue<string>());
            foreach (var pid in Pids(job, "01_slow"))
                Assert.True(await CliRun.EventuallyAsync(() => !CliRun.Alive(pid), TimeSpan.FromSeconds(15)), $"process {pid} outlived the timeout");
        }
        finally
        {
            KillAll(job, "01_slow");
        }
    }

    [Fact]
    public async Task Ctrl_C_during_a_stage_with_a_timeout_is_still_a_cancellation()
    {
        _temp.Write("waybill.yaml", $"""
            stages:
              - id: 01_slow
            {Sleeper}
                timeout: 20s
                retries: 2
            """);
        var job = _temp.Combine("out", "c");
        try
        {
            using var process = CliProcess.Start(_temp.Path, null, "run", "waybill.yaml", "--job-id", "c");
            Assert.True(await CliRun.EventuallyAsync(() => Pids(job, "01_slow").Count >= 2, TimeSpan.FromSeconds(60)), "the stage never started");
            using (var signal = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
                await signal.WaitForExitAsync();
            var run = await CliRun.WaitAsync(process, TimeSpan.FromSeconds(60));

            Assert.True(run.ExitCode == 130, run.Output);
            var manifest = Manifest(job, "01_slow");
            Assert.Equal("cancelled", manifest["status"]!.GetValue<string>());
            Assert.Equal("cancelled", manifest["status_reason"]!.GetValue<string>());
            // A cancellation is never retried: one try, cancelled.
            Assert.Equal(["cancelled"], manifest["tries"]!.AsArray().Select(t => t!["status"]!.GetValue<string>()));
            Assert.DoesNotContain("timed out", File.ReadAllText(Path.Combine(job, "01_slow", "stage.log")), StringComparison.Ordinal);
            JobAssert.ManifestsAreValid(job);
        }
        finally
        {
            KillAll(job, "01_slow");
        }
    }

    [Fact]
    public async Task Each_try_gets_the_whole_timeout_and_every_timed_out_try_is_recorded()
    {
        _temp.Write("waybill.yaml", $"""
            stages:
              - id: 01_slow
            {Sleeper}
                timeout: 1s
                retries:
                  count: 1
                  backoff: 50ms
            """);
        var job = _temp.Combine("out", "r");
        try
        {
            var run = await CliRun.RunAsync(_temp.Path, TimeSpan.FromSeconds(60), null, "run", "waybill.yaml", "--job-id", "r");

            Assert.True(run.ExitCode == 1, run.Output);
            JobAssert.ManifestsAreValid(job);
            var manifest = Manifest(job, "01_slow");
            Assert.Equal("timed out after 1s", manifest["status_reason"]!.GetValue<string>());
            var tries = manifest["tries"]!.AsArray();
            Assert.Equal([1, 2], tries.Select(t => t!["try"]!.GetValue<int>()));
            Assert.All(tries, t => Assert.Equal("timed out after 1s", t!["error"]!.GetValue<string>()));
            Assert.All(tries, t => Assert.Equal("failed", t!["status"]!.GetValue<string>()));
            // Each try ran to its own limit: neither was cut short by the time the other used (a shared limit would leave the
            // second try almost nothing). A system timer may fire a few milliseconds before the stopwatch reads 1 s.
            Assert.All(tries, t => Assert.True(t!["duration_seconds"]!.GetValue<double>() >= 0.95, t.ToJsonString()));
            Assert.Equal(0.05, tries[1]!["wait_before_seconds"]!.GetValue<double>());
            var stageLog = File.ReadAllText(Path.Combine(job, "01_slow", "stage.log"));
            Assert.Contains("[WARNING] attempt 1 of 2 failed: timed out after 1s; retrying in 50ms", stageLog);
            Assert.Contains("[WARNING] attempt 2 of 2 failed: timed out after 1s; not retried: no retries left", stageLog);
            foreach (var pid in Pids(job, "01_slow"))
                Assert.True(await CliRun.EventuallyAsync(() => !CliRun.Alive(pid), TimeSpan.FromSeconds(15)), $"process {pid} outlived the timeout");
        }
        finally
        {
            KillAll(job, "01_slow");
        }
    }

    [Fact]
    public async Task Exec_stage_stops_a_stage_at_its_timeout()
    {
        // Quick in the run; made slow before exec-stage runs it again.
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_maybe_slow
                run: |
                  echo $$ >> "$WAYBILL_STAGE_DIR/shell.pid"
                  if [ -e "$WAYBILL_JOB_DIR/../../slow" ]; then sleep 30; fi
                timeout: 1s
            """);
        var job = _temp.Combine("out", "e");
        try
        {
            Assert.Equal(0, (await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "e")).ExitCode);
            _temp.Write("slow", "");

            var exec = await CliRun.RunAsync(_temp.Path, TimeSpan.FromSeconds(60), null, "exec-stage", "e", "01_maybe_slow");

            Assert.True(exec.ExitCode == 1, exec.Output);
            Assert.Contains("01_maybe_slow: failed (timed out after 1s)", exec.Output, StringComparison.Ordinal);
            var manifest = Manifest(job, "01_maybe_slow");
            Assert.Equal("timed out after 1s", manifest["status_reason"]!.GetValue<string>());
            Assert.Equal(2, manifest["attempt"]!.GetValue<int>());
            Assert.Matches(@"❌ Stage maybe_slow: FAILED \(\d+\.\ds\): timed out after 1s", PipelineLog(job));
            JobAssert.ManifestsAreValid(job);
        }
        finally
        {
            KillAll(job, "01_maybe_slow");
        }
    }

    private static JsonNode Manifest(string job, string stage) => JsonNode.Parse(File.ReadAllText(Path.Combine(job, stage, "manifest.json")))!;

    private static string PipelineLog(string job) =>
        string.Concat(Directory.GetFiles(Path.Combine(job, "logs"), "99_pipeline_*.log").Order().Select(File.ReadAllText));

    private static readonly string[] PidFiles = ["child.pid", "shell.pid"];

    /// <summary>Every pid the stage's tries noted (a line each).</summary>
    private static List<int> Pids(string job, string stage) =>
        [.. PidFiles.Select(f => Path.Combine(job, stage, f)).Where(File.Exists)
            .SelectMany(File.ReadAllLines).Where(l => l.Trim().Length > 0)
            .Select(l => int.Parse(l.Trim(), CultureInfo.InvariantCulture))];

    private static void KillAll(string job, string stage)
    {
        foreach (var pid in Pids(job, stage).Where(CliRun.Alive))
            try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
    }
}
