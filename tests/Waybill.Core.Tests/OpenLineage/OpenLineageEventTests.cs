using System.Text.Json.Nodes;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.OpenLineage;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Waybill.Core.Tests.Execution;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.OpenLineage;

/// <summary>The events written to logs/openlineage.jsonl: their shape against the published schema, ids, facets, datasets, secrets.</summary>
public sealed class OpenLineageEventTests : IDisposable
{
    private const string Secret = "s3cr3t-lineage-7781";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string JobDir => _temp.Combine("out", "job");
    private string EventsPath => Path.Combine(JobDir, "logs", "openlineage.jsonl");

    private async Task<RunResult> Run(PipelineDefinition pipeline, CancellationToken cancellationToken = default)
    {
        using var observer = new OpenLineageObserver(new OpenLineageSettings());
        var options = new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1, KeepGoing = true, Observers = [observer] };
        return await PipelineRunner.RunAsync(pipeline, options, cancellationToken);
    }

    private List<JsonNode> Events() => [.. File.ReadAllLines(EventsPath).Select(line => JsonNode.Parse(line)!)];

    private static string Describe(JsonNode e) => $"{e["job"]!["name"]} {e["eventType"]}";

    private static IEnumerable<JsonNode> Of(IEnumerable<JsonNode> events, string jobName) => events.Where(e => (string?)e["job"]!["name"] == jobName);

    /// <summary>01 makes a file, 02 reads it and fails (printing a secret), 03 is after 02 (never starts), 04 starts and chooses to skip.</summary>
    private PipelineDefinition Mixed() => new PipelineBuilder("lineage", _temp.Path)
        .Env("API_TOKEN", Secret)
        .Command("01_make", "printf 'hello' > {out.text}", s => s.Output("text", "text.txt", type: "text", format: "txt"))
        .Command("02_fail", "cat {in.text} > /dev/null; echo \"denied for $API_TOKEN\" >&2; exit 3", s => s.Input("text", "01_make.text"))
        .Command("03_after", "true", s => s.RunsAfter("02_fail"))
        .Stage("04_optional", DelegateStage.Of((ctx, _) =>
        {
            ctx.Finalize(StageStatus.Skipped, "nothing to do");
            return Task.CompletedTask;
        }))
        .Build();

    [Fact]
    public async Task Every_event_matches_the_OpenLineage_2_0_2_schema_and_the_Waybill_facet_schema()
    {
        await Run(Mixed());

        var lines = File.ReadAllLines(EventsPath);
        Assert.Equal(10, lines.Length);
        foreach (var line in lines)
        {
            var problems = OpenLineageSchemas.Problems(line);
            Assert.True(problems.Count == 0, line + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }
    }

    [Fact]
    public void The_schema_check_is_real_a_bad_run_id_a_missing_producer_or_facet_field_fail_it()
    {
        const string good = """
            {"eventType":"START","eventTime":"2025-01-02T03:04:05.000Z","producer":"https://waybill.dev/waybill/0.1.0","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
             "run":{"runId":"0196a1e2-7c3b-7d4e-9f00-123456789abc","facets":{}},"job":{"namespace":"waybill","name":"p"},"inputs":[],"outputs":[]}
            """;
        Assert.Empty(OpenLineageSchemas.Problems(good));
        Assert.NotEmpty(OpenLineageSchemas.Problems(good.Replace("0196a1e2-7c3b-7d4e-9f00-123456789abc", "run-1", StringComparison.Ordinal)));
        Assert.NotEmpty(OpenLineageSchemas.Problems(good.Replace("\"producer\":\"https://waybill.dev/waybill/0.1.0\",", "", StringComparison.Ordinal)));
        Assert.NotEmpty(OpenLineageSchemas.Problems(good.Replace("\"facets\":{}", "\"facets\":{\"waybill_stage\":{\"_producer\":\"https://x.test/\",\"_schemaURL\":\"https://x.test/s\"}}", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Every_stage_gets_START_then_its_end_whether_it_ran_or_not_and_the_job_run_frames_them()
    {
        var result = await Run(Mixed());
        Assert.Equal(StageStatus.Failed, result.Status);

        var events = Events();
        // 03_after never started (upstream failed), 04 started and chose to skip: both START and COMPLETE, status skipped.
        Assert.Equal(
        [
            "lineage START", "lineage.01_make START", "lineage.01_make COMPLETE", "lineage.02_fail START", "lineage.02_fail FAIL",
            "lineage.03_after START", "lineage.03_after COMPLETE", "lineage.04_optional START", "lineage.04_optional COMPLETE", "lineage FAIL",
        ], events.Select(Describe));
        Assert.All(events, e => Assert.Equal("waybill", (string?)e["job"]!["namespace"]));
        Assert.Equal("skipped", (string?)Of(events, "lineage.04_optional").Last()["run"]!["facets"]!["waybill_stage"]!["status"]);
        Assert.Equal("skipped", (string?)Of(events, "lineage.03_after").Last()["run"]!["facets"]!["waybill_stage"]!["status"]);
        Assert.Empty(Of(events, "lineage.03_after").Last()["inputs"]!.AsArray());
    }

    [Fact]
    public async Task Start_and_end_share_a_run_id_and_every_stage_run_points_to_the_job_run()
    {
        await Run(Mixed());

        var events = Events();
        var jobRunId = (string)events[0]["run"]!["runId"]!;
        var waybillRunId = ManifestJson.ReadJob(Path.Combine(JobDir, "manifest.json")).RunId;
        Assert.Equal(waybillRunId, jobRunId); // a UUIDv7: used as it is
        Assert.Equal(jobRunId, (string?)events[^1]["run"]!["runId"]);

        foreach (var stage in new[] { "01_make", "02_fail", "03_after", "04_optional" })
        {
            var pair = Of(events, "lineage." + stage).ToList();
            Assert.Equal(2, pair.Count);
            var runId = (string)pair[0]["run"]!["runId"]!;
            Assert.True(Guid.TryParseExact(runId, "D", out _), runId);
            Assert.NotEqual(jobRunId, runId);
            Assert.Equal(runId, (string?)pair[1]["run"]!["runId"]);
            Assert.All(pair, e =>
            {
                var parent = e["run"]!["facets"]!["parent"]!;
                Assert.Equal(jobRunId, (string?)parent["run"]!["runId"]);
                Assert.Equal("waybill", (string?)parent["job"]!["namespace"]);
                Assert.Equal("lineage", (string?)parent["job"]!["name"]);
            });
        }
        // Why a stage runs is known at its START already, and its manifest says the same at the end.
        var made = Of(events, "lineage.01_make").Select(e => e["run"]!["facets"]!["waybill_stage"]!["reasons"]!.ToJsonString()).ToList();
        Assert.NotEqual("[]", made[0]);
        Assert.Equal(made[0], made[1]);
        Assert.Equal(5, events.Where(e => (string?)e["eventType"] == "START").Select(e => (string?)e["run"]!["runId"]).Distinct().Count());
    }

    [Fact]
    public async Task A_failed_stage_and_the_job_carry_the_error_message_and_no_secret_is_written()
    {
        await Run(Mixed());

        var events = Events();
        var failed = Of(events, "lineage.02_fail").Last();
        var error = failed["run"]!["facets"]!["errorMessage"]!;
        Assert.Equal("command exited with code 3: denied for ***", (string?)error["message"]);
        Assert.Equal("shell", (string?)error["programmingLanguage"]);
        var stage = failed["run"]!["facets"]!["waybill_stage"]!;
        Assert.Equal("failed", (string?)stage["status"]);
        Assert.Equal(3, (int?)stage["exit_code"]);
        Assert.Equal("02_fail/manifest.json", (string?)stage["manifest"]);
        Assert.Contains("02_fail failed: command exited with code 3", (string?)events[^1]["run"]!["facets"]!["errorMessage"]!["message"], StringComparison.Ordinal);
        Assert.Null(Of(events, "lineage.01_make").Last()["run"]!["facets"]!["errorMessage"]);

        var text = File.ReadAllText(EventsPath);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.Contains("denied for ***", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Datasets_are_the_manifest_files_by_absolute_path_with_their_checksums()
    {
        await Run(Mixed());

        var events = Events();
        var made = Of(events, "lineage.01_make").ToList();
        Assert.Empty(made[0]["outputs"]!.AsArray()); // at START the files do not exist yet
        var output = Assert.Single(made[1]["outputs"]!.AsArray())!;
        var record = Assert.Single(ManifestJson.ReadStage(Path.Combine(JobDir, "01_make", "manifest.json")).Outputs);
        Assert.Equal("file://" + Environment.MachineName.ToLowerInvariant(), (string?)output["namespace"]);
        Assert.Equal(Path.Combine(JobDir, "01_make", "text.txt"), (string?)output["name"]);
        var file = output["facets"]!["waybill_file"]!;
        Assert.Equal(record.Checksum, (string?)file["checksum"]);
        Assert.Equal(5, (long?)file["size_bytes"]);
        Assert.Equal("01_make/text.txt", (string?)file["path"]);
        Assert.Equal("text", (string?)file["type"]);
        var command = (string)made[1]["job"]!["facets"]!["sourceCode"]!["sourceCode"]!;
        Assert.StartsWith("printf 'hello' > ", command, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("out", "job", "01_make", "text.txt"), command, StringComparison.Ordinal);

        var input = Assert.Single(Of(events, "lineage.02_fail").Last()["inputs"]!.AsArray())!;
        Assert.Equal((string?)output["name"], (string?)input["name"]);
        Assert.Equal("01_make", (string?)input["facets"]!["waybill_file"]!["from_stage"]);
        Assert.Equal(record.Checksum, (string?)input["facets"]!["waybill_file"]!["checksum"]);
    }

    [Fact]
    public async Task A_cancelled_run_ends_the_running_stage_and_the_job_with_ABORT()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = new PipelineBuilder("cancel", _temp.Path)
            .Stage("01_wait", DelegateStage.Of(async (_, ct) =>
            {
                started.SetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }))
            .Stage("02_next", DelegateStage.Of((_, _) => Task.CompletedTask), s => s.RunsAfter("01_wait"))
            .Build();
        using var cancel = new CancellationTokenSource();
        var run = Run(pipeline, cancel.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        var result = await run;

        Assert.Equal(StageStatus.Cancelled, result.Status);
        // 02_next never started: it too gets START and, being cancelled, ABORT.
        Assert.Equal(
            ["cancel START", "cancel.01_wait START", "cancel.01_wait ABORT", "cancel.02_next START", "cancel.02_next ABORT", "cancel ABORT"],
            Events().Select(Describe));
    }

    [Fact]
    public async Task A_stage_up_to_date_gets_no_events_and_the_pipeline_run_counts_it()
    {
        var pipeline = new PipelineBuilder("again", _temp.Path)
            .Command("01_make", "printf 'x' > {out.x}", s => s.Output("x", "x.txt"))
            .Build();
        await Run(pipeline);
        var first = Events().Count;

        var second = await Run(pipeline);

        Assert.Equal(StageStatus.Skipped, Assert.Single(second.Stages).Status);
        var events = Events().Skip(first).ToList();
        // The first run's events describe the stage's one run; this run only counts it.
        Assert.Equal(["again START", "again COMPLETE"], events.Select(Describe));
        var job = events[1]["run"]!["facets"]!["waybill_job"]!;
        Assert.Equal(1, (int?)job["up_to_date"]);
        Assert.Empty(job["stages"]!.AsObject());
        Assert.Empty(OpenLineageSchemas.Problems(events[1].ToJsonString()));
    }

    [Fact]
    public async Task A_partial_last_line_left_by_a_killed_run_stays_alone_and_the_new_lines_are_whole()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(EventsPath)!);
        await File.WriteAllTextAsync(EventsPath, "{\"eventType\":\"START\"}\n{\"eventType\":\"COMPL");

        await Run(new PipelineBuilder("partial", _temp.Path).Stage("01_a", DelegateStage.Of((_, _) => Task.CompletedTask)).Build());

        var lines = File.ReadAllLines(EventsPath);
        Assert.Equal("{\"eventType\":\"START\"}", lines[0]);
        Assert.Equal("{\"eventType\":\"COMPL", lines[1]);
        Assert.Equal(4, lines.Length - 2);
        Assert.All(lines.Skip(2), line => Assert.Empty(OpenLineageSchemas.Problems(line)));
    }
}
