using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;

namespace Waybill.Core.Execution;

/// <summary>
/// Runs one stage of an existing job in this process (<c>waybill exec-stage</c>): what a scheduler such as Slurm
/// runs on a compute node. Its lines join the job's latest pipeline log and events.jsonl.
/// </summary>
public static class SingleStage
{
    public static async Task<StageOutcome> RunAsync(JobLayout layout, PipelineDefinition pipeline, string stage, ILogSink? console, CancellationToken cancellationToken)
    {
        var definition = pipeline.Find(stage) ?? throw new PipelineInvalidException(new PipelineError(
            $"job {layout.JobId} has no stage '{stage}'", Hint: $"stages are: {string.Join(", ", pipeline.Stages.Select(s => s.Id))}"));
        var time = TimeProvider.System;
        var redactor = PipelineRunner.SecretsOf(pipeline);
        using var logging = new RunLogging(layout, redactor, time, console, Microsoft.Extensions.Logging.LogLevel.Information, legacyStageLogs: false, layout.LatestPipelineLog());
        var services = new RunServices(time, redactor, ChecksumCache.Load(layout.StatCachePath, pipeline.Checksum), logging.OpenStage);
        var plan = new ExecutionPlan(pipeline);
        var runId = File.Exists(layout.JobManifestPath) ? ManifestJson.ReadJob(layout.JobManifestPath).RunId : JobIds.NewRunId();
        var invocation = new StageInvocation(pipeline, definition, layout, runId, plan.PositionOf(definition.Id), plan.Order.Count);
        StageTransitions.Started(logging.Pipeline, invocation);
        logging.Events.Transition(time.GetUtcNow(), "stage_started", definition.Id, "running", null, "exec-stage");
        var outcome = await StageRunner.RunAsync(invocation, services, cancellationToken);
        StageTransitions.Finished(logging.Pipeline, definition.Name, outcome);
        logging.Events.Transition(time.GetUtcNow(), "stage_finished", definition.Id, outcome.Status.ToText(), outcome.DurationSeconds, outcome.Reason);
        logging.Dispose();
        UpdateJobManifest(layout, pipeline, outcome, logging.PipelineLogPath);
        return outcome;
    }

    /// <summary>The job manifest learns the stage's new status, the lineage is rebuilt from every stage manifest, and the logs this stage added to are sealed again.</summary>
    private static void UpdateJobManifest(JobLayout layout, PipelineDefinition pipeline, StageOutcome outcome, string pipelineLog)
    {
        if (!File.Exists(layout.JobManifestPath)) return;
        var job = ManifestJson.ReadJob(layout.JobManifestPath);
        if (job.Stages.All(s => s.StageId != outcome.StageId)) return;
        JobRecords.Update(job, outcome, layout, pipeline.Checksum);
        var manifests = job.Stages.Select(s => layout.StageManifestPath(s.StageId)).Where(File.Exists).Select(ManifestJson.ReadStage);
        job.Lineage = [.. JobRecords.LineageOf(manifests)];
        JobRecords.SealLogs(job, layout, job, pipelineLog, pipeline.Checksum);
        ManifestJson.Write(layout.JobManifestPath, job);
    }

    /// <summary>The pipeline a job ran, read back from its snapshot.</summary>
    public static PipelineDefinition LoadSnapshot(JobLayout layout, Stages.BuiltinStages? builtins = null)
    {
        var yaml = Path.Combine(layout.StateDir, "pipeline.yaml");
        var run = Path.Combine(layout.StateDir, "run.json");
        if (!File.Exists(yaml) || !File.Exists(run))
            throw new PipelineInvalidException(new PipelineError($"job {layout.JobId} has no pipeline snapshot in {layout.StateDir}", Hint: "only jobs run from a pipeline file can run a single stage; run the pipeline first with 'waybill run'"));
        var info = ReadRunInfo(run);
        var overrides = OverridesOf(info, run);
        var baseDirectory = info["base_directory"]?.GetValue<string>();
        return PipelineFileLoader.Parse(File.ReadAllText(yaml), info["source_path"]?.GetValue<string>() ?? yaml, overrides, builtins, baseDirectory);
    }

    /// <summary>The <c>--set</c> overrides the job was run with, as its snapshot recorded them (already applied by <see cref="LoadSnapshot"/>).</summary>
    public static IReadOnlyList<string> SnapshotOverrides(JobLayout layout)
    {
        var run = Path.Combine(layout.StateDir, "run.json");
        return OverridesOf(ReadRunInfo(run), run);
    }

    /// <summary><c>.waybill/run.json</c>, or a clear error when it was damaged or replaced (too large, too deep, not an object).</summary>
    private static System.Text.Json.Nodes.JsonObject ReadRunInfo(string path)
    {
        const long maxBytes = 16 * 1024 * 1024;
        try
        {
            if (new FileInfo(path).Length > maxBytes) throw Damaged(path, $"it is larger than {maxBytes / (1024 * 1024)} MiB");
            return System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path)) as System.Text.Json.Nodes.JsonObject ?? throw Damaged(path, "it is not a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw Damaged(path, e.Message);
        }
    }

    private static List<string> OverridesOf(System.Text.Json.Nodes.JsonObject info, string path)
    {
        try
        {
            return info["overrides"]?.AsArray().Select(n => n?.GetValue<string>() ?? throw Damaged(path, "its 'overrides' holds a null")).ToList() ?? [];
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw Damaged(path, "its 'overrides' is not a list of strings");
        }
    }

    private static PipelineInvalidException Damaged(string path, string why) =>
        new(new PipelineError($"the job's run record {path} cannot be read: {why}", Hint: "it was damaged or edited by hand; run the pipeline again with 'waybill run'"));
}
