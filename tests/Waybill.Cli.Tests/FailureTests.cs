using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests;

/// <summary>A failing stage: a clear error in three places, downstream skipped, earlier work kept.</summary>
public sealed class FailureTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Pipeline = """
        name: failing
        stages:
          - id: 01_make
            run: echo data > {out.data}
            outputs: { data: data.txt }
          - id: 02_break
            inputs: { data: 01_make.data }
            run: 'echo "boom: disk on fire" >&2; exit 3'
            outputs: { result: result.txt }
          - id: 03_after
            inputs: { result: 02_break.result }
            run: cp {in.result} {out.copy}
            outputs: { copy: copy.txt }
          - id: 04_independent
            run: echo fine > {out.fine}
            outputs: { fine: fine.txt }
        """;

    [Fact]
    public async Task A_failing_command_is_reported_in_stage_log_manifest_and_pipeline_log()
    {
        _temp.Write("waybill.yaml", Pipeline);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "1");
        Assert.Equal(1, run.ExitCode);
        var job = _temp.Combine("out", "j");
        JobAssert.ManifestsAreValid(job);

        var pipelineLog = File.ReadAllText(Directory.GetFiles(Path.Combine(job, "logs"), "99_pipeline_*.log")[0]);
        Assert.Matches(@"\[pipeline\] \[ERROR\] ❌ Stage break: FAILED \(\d+\.\ds\): command exited with code 3: boom: disk on fire", pipelineLog);
        Assert.Contains("[stage.break] [ERROR] command exited with code 3: boom: disk on fire", File.ReadAllText(Path.Combine(job, "02_break", "stage.log")));
        Assert.Contains("[stage.break] [DEBUG] stderr| boom: disk on fire", File.ReadAllText(Path.Combine(job, "02_break", "stage.log")));

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "02_break", "manifest.json")))!;
        Assert.Equal("failed", manifest["status"]!.GetValue<string>());
        Assert.Equal(3, manifest["exit_code"]!.GetValue<int>());
        Assert.Contains("boom: disk on fire", manifest["errors"]![0]!["message"]!.GetValue<string>());
        Assert.NotNull(manifest["errors"]![0]!["timestamp"]);
    }

    [Fact]
    public async Task Downstream_stages_are_skipped_and_earlier_outputs_stay_valid()
    {
        _temp.Write("waybill.yaml", Pipeline);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "1");
        Assert.Equal(1, run.ExitCode);
        var job = _temp.Combine("out", "j");
        var after = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "03_after", "manifest.json")))!;
        Assert.Equal("skipped", after["status"]!.GetValue<string>());
        Assert.Equal("upstream failed: 02_break", after["status_reason"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(job, "03_after", "stage.log")));
        var pipelineLog = File.ReadAllText(Directory.GetFiles(Path.Combine(job, "logs"), "99_pipeline_*.log")[0]);
        Assert.Contains("⏭ Stage after: SKIPPED (upstream failed: 02_break)", pipelineLog);

        var made = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "01_make", "manifest.json")))!;
        Assert.Equal("success", made["status"]!.GetValue<string>());
        Assert.Equal("data\n", File.ReadAllText(Path.Combine(job, "01_make", "data.txt")));
        // Without --keep-going an independent stage that had not started is not run, and says why.
        var independent = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "04_independent", "manifest.json")))!;
        Assert.Equal("skipped", independent["status"]!.GetValue<string>());
        Assert.Contains("--keep-going", independent["status_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Keep_going_runs_the_stages_that_do_not_depend_on_the_failure()
    {
        _temp.Write("waybill.yaml", Pipeline);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "1", "--keep-going");
        Assert.Equal(1, run.ExitCode);
        var job = _temp.Combine("out", "j");
        Assert.Equal("fine\n", File.ReadAllText(Path.Combine(job, "04_independent", "fine.txt")));
        Assert.Equal("skipped", JsonNode.Parse(File.ReadAllText(Path.Combine(job, "03_after", "manifest.json")))!["status"]!.GetValue<string>());
        JobAssert.ManifestsAreValid(job);
    }

    [Fact]
    public async Task A_declared_output_that_is_not_produced_fails_the_stage()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_lazy
                run: echo "did nothing"
                outputs: { report: report.json }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.Equal(1, run.ExitCode);
        var manifest = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", "01_lazy", "manifest.json")))!;
        Assert.Equal("declared output report was not produced", manifest["status_reason"]!.GetValue<string>());
        Assert.Contains("expected 01_lazy/report.json", manifest["errors"]![0]!["message"]!.GetValue<string>());
        Assert.Contains("FAILED", run.Stdout);
    }

    [Fact]
    public async Task A_command_that_is_not_installed_is_named_with_a_hint()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_tool
                run: definitely-not-installed-tool --version
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.Equal(1, run.ExitCode);
        var reason = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", "01_tool", "manifest.json")))!["status_reason"]!.GetValue<string>();
        Assert.StartsWith("command 'definitely-not-installed-tool' not found: it is not on PATH", reason);
        Assert.Contains("command 'definitely-not-installed-tool' not found", run.Stdout);
    }

    [Fact]
    public async Task A_job_folder_that_cannot_be_written_is_a_clear_error()
    {
        var blocker = _temp.Write("not-a-folder", "a file where the output folder should be");
        _temp.Write("waybill.yaml", "stages:\n  - id: 01_a\n    run: 'true'\n");
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--out", Path.Combine(blocker, "out"));
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("cannot write the job folder", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }
}
