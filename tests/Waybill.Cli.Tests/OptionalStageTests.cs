using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests;

/// <summary>
/// An optional stage that fails: the job goes on and succeeds with a warning, its branch is skipped, and the stages that
/// read its output as an optional input run without it, even where a file from an earlier run is still in its folder.
/// </summary>
public sealed class OptionalStageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // 02_extra stands for a remote service: it works while the file "up" exists beside the job's out/ folder.
    private const string Pipeline = """
        name: generic
        stages:
          - id: 01_make
            run: echo data > {out.data}
            outputs: { data: data.txt }
          - id: 02_extra
            optional: true
            inputs: { data: 01_make.data }
            run: 'if [ -f {job.dir}/../../up ]; then echo extra > {out.extra}; else echo "server down" >&2; exit 3; fi'
            outputs: { extra: extra.txt }
          - id: 03_use
            inputs:
              data: 01_make.data
              extra: { from: 02_extra.extra, optional: true }
            run: 'if [ -n {in.extra} ]; then cat {in.extra} > {out.result}; else echo without > {out.result}; fi; echo "env=$WAYBILL_IN_EXTRA" >> {out.result}'
            outputs: { result: result.txt }
          - id: 04_need
            inputs: { extra: 02_extra.extra }
            run: cat {in.extra} > {out.copy}
            outputs: { copy: copy.txt }
          - id: 05_after_need
            inputs: { copy: 04_need.copy, data: 01_make.data }
            run: cat {in.copy} > {out.x}
            outputs: { x: x.txt }
          - id: 06_report
            after: 02_extra
            run: echo done
        """;

    private string Job => _temp.Combine("out", "j");

    private JsonNode Manifest(string stage) => JsonNode.Parse(File.ReadAllText(Path.Combine(Job, stage, "manifest.json")))!;

    private JsonNode JobManifest => JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "manifest.json")))!;

    private string LastPipelineLog => File.ReadAllText(Directory.GetFiles(Path.Combine(Job, "logs"), "99_pipeline_*.log").Order(StringComparer.Ordinal).Last());

    private List<JsonNode> Events => [.. File.ReadAllLines(Path.Combine(Job, "logs", "events.jsonl")).Select(l => JsonNode.Parse(l)!)];

    private Task<CliProcess.Result> Run(params string[] extra) =>
        CliProcess.RunAsync(_temp.Path, ["run", "waybill.yaml", "--job-id", "j", "--jobs", "1", .. extra]);

    private static string Text(JsonNode? node) => node!.GetValue<string>();

    [Fact]
    public async Task A_failing_optional_stage_leaves_the_job_successful_and_costs_only_the_stages_that_need_its_output()
    {
        _temp.Write("waybill.yaml", Pipeline);

        var run = await Run();

        Assert.True(run.ExitCode == 0, run.All);
        JobAssert.ManifestsAreValid(Job);
        var failed = Manifest("02_extra");
        Assert.Equal("failed", Text(failed["status"]));
        Assert.Equal("command exited with code 3: server down", Text(failed["status_reason"]));
        Assert.Contains("server down", Text(failed["errors"]![0]!["message"]), StringComparison.Ordinal);

        // Read as an optional input: the stage runs without it, and its manifest says which input was absent and why.
        var use = Manifest("03_use");
        Assert.Equal("success", Text(use["status"]));
        Assert.Equal("without\nenv=\n", File.ReadAllText(Path.Combine(Job, "03_use", "result.txt")));
        Assert.Equal(["data"], use["inputs"]!.AsArray().Select(i => Text(i!["name"])));
        var absent = use["absent_inputs"]!.AsArray().Single()!;
        Assert.Equal("extra", Text(absent["name"]));
        Assert.Equal("02_extra", Text(absent["from_stage"]));
        Assert.Equal("02_extra failed (command exited with code 3: server down)", Text(absent["reason"]));

        // Waiting for it with after: runs. Needed: skipped, and so is what needs the skipped stage; neither fails the job.
        Assert.Equal("success", Text(Manifest("06_report")["status"]));
        foreach (var stage in new[] { "04_need", "05_after_need" })
        {
            Assert.Equal("skipped", Text(Manifest(stage)["status"]));
            Assert.Equal("upstream failed: 02_extra (optional)", Text(Manifest(stage)["status_reason"]));
        }

        var job = JobManifest;
        Assert.Equal("success", Text(job["status"]));
        Assert.True(job["stages"]!.AsArray().Single(s => Text(s!["stage_id"]) == "02_extra")!["optional"]!.GetValue<bool>());
        Assert.Null(job["stages"]!.AsArray().Single(s => Text(s!["stage_id"]) == "03_use")!["optional"]);
        var warning = job["warnings"]!.AsArray().Single()!;
        Assert.Equal("02_extra", Text(warning["stage_id"]));
        Assert.Equal("optional stage 02_extra failed: command exited with code 3: server down", Text(warning["message"]));
        Assert.Equal(["04_need", "05_after_need"], warning["skipped"]!.AsArray().Select(Text));

        var lastLine = LastPipelineLog.TrimEnd('\n').Split('\n')[^1];
        Assert.Contains("[pipeline] [WARNING] Pipeline generic: SUCCESS (3 succeeded, 1 failed (1 optional), 2 skipped, 0 cancelled)", lastLine, StringComparison.Ordinal);
        Assert.EndsWith("; optional stage failed: 02_extra (command exited with code 3: server down)", lastLine, StringComparison.Ordinal);
        Assert.Contains("❌ Stage extra: FAILED (optional, ", LastPipelineLog, StringComparison.Ordinal);
        Assert.Matches(@"02_extra\s+failed \(optional\)\s", run.Stdout);
        Assert.Contains("Warning:      optional stage 02_extra failed: command exited with code 3: server down", run.Stdout, StringComparison.Ordinal);

        var events = Events;
        var finished = events.Single(e => Text(e["event"]) == "stage_finished" && e["stage"]?.GetValue<string>() == "02_extra");
        Assert.True(finished["optional"]!.GetValue<bool>());
        Assert.Null(events.Single(e => Text(e["event"]) == "stage_finished" && e["stage"]?.GetValue<string>() == "04_need")["optional"]);
        var end = events.Single(e => Text(e["event"]) == "job_finished");
        Assert.Equal("success", Text(end["status"]));
        Assert.Equal(["optional stage 02_extra failed: command exited with code 3: server down"], end["warnings"]!.AsArray().Select(Text));

        var status = await CliProcess.RunAsync(_temp.Path, "status", "j");
        Assert.True(status.ExitCode == 0, status.All);
        Assert.Contains("SUCCESS with 1 optional stage failed", status.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"02_extra\s+failed \(optional\)\s", status.Stdout);
        Assert.Contains("optional stage 02_extra failed: command exited with code 3: server down; skipped because of it: 04_need, 05_after_need",
            status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_stage_made_required_with_set_fails_the_job()
    {
        _temp.Write("waybill.yaml", Pipeline);

        var run = await Run("--set", "02_extra.optional=false");

        Assert.True(run.ExitCode == 1, run.All);
        Assert.Equal("failed", Text(JobManifest["status"]));
        Assert.Null(JobManifest["warnings"]);
        Assert.Equal("upstream failed: 02_extra", Text(Manifest("03_use")["status_reason"]));
        Assert.Contains("[pipeline] [ERROR] Pipeline generic: FAILED", LastPipelineLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_failure_continue_is_the_same_as_optional_true()
    {
        _temp.Write("waybill.yaml", Pipeline.Replace("optional: true\n    inputs: { data", "on_failure: continue\n    inputs: { data", StringComparison.Ordinal));
        Assert.Contains("on_failure: continue", File.ReadAllText(_temp.Combine("waybill.yaml")), StringComparison.Ordinal);

        var run = await Run();

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal("success", Text(JobManifest["status"]));
        Assert.Equal("02_extra", Text(JobManifest["warnings"]![0]!["stage_id"]));
        Assert.Equal("success", Text(Manifest("03_use")["status"]));
        Assert.Equal("skipped", Text(Manifest("04_need")["status"]));
    }

    [Fact]
    public async Task An_output_put_back_by_a_failed_rerun_is_absent_downstream_and_a_later_success_reruns_what_went_without_it()
    {
        _temp.Write("waybill.yaml", Pipeline);
        _temp.Write("up", "");
        var first = await Run();
        Assert.True(first.ExitCode == 0, first.All);
        Assert.StartsWith("extra\nenv=/", File.ReadAllText(Path.Combine(Job, "03_use", "result.txt")), StringComparison.Ordinal);

        // The service goes down: the forced rerun fails and puts the previous extra.txt back, which nobody may read as new.
        File.Delete(_temp.Combine("up"));
        var down = await Run("--force", "02_extra");
        Assert.True(down.ExitCode == 0, down.All);
        Assert.Equal("extra\n", File.ReadAllText(Path.Combine(Job, "02_extra", "extra.txt")));
        Assert.Equal("without\nenv=\n", File.ReadAllText(Path.Combine(Job, "03_use", "result.txt")));
        Assert.Contains("input 02_extra/extra.txt absent: 02_extra failed (command exited with code 3: server down)",
            Manifest("03_use")["reasons"]!.AsArray().Select(Text));
        Assert.Equal("upstream failed: 02_extra (optional)", Text(Manifest("04_need")["status_reason"]));
        JobAssert.ManifestsAreValid(Job);

        // Back up: resume runs the failed optional stage again, then what ran without it and what it skipped.
        _temp.Write("up", "");
        var resume = await CliProcess.RunAsync(_temp.Path, "resume", "j", "--jobs", "1", "--explain");
        Assert.True(resume.ExitCode == 0, resume.All);
        Assert.Matches(@"02_extra\s+ran: previous attempt failed \(command exited with code 3: server down\)", resume.Stdout);
        Assert.Matches(@"03_use\s+ran: input 02_extra/extra.txt is new", resume.Stdout);
        Assert.StartsWith("extra\nenv=/", File.ReadAllText(Path.Combine(Job, "03_use", "result.txt")), StringComparison.Ordinal);
        Assert.Null(Manifest("03_use")["absent_inputs"]);
        Assert.Equal("extra\n", File.ReadAllText(Path.Combine(Job, "05_after_need", "x.txt")));
        Assert.Equal("success", Text(JobManifest["status"]));
        Assert.Null(JobManifest["warnings"]);
        JobAssert.ManifestsAreValid(Job);
    }
}
