using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;

namespace Waybill.Core.Execution;

/// <summary>
/// Runs one stage of an existing job in this process (<c>waybill exec-stage</c>): what a scheduler such as Slurm
/// runs on a compute node. Its lines join the job's latest pipeline log and events.jsonl. It holds the job's run lock
/// like <c>run</c>, <c>resume</c> and <c>clean</c>: one writer per job folder, so it is refused while a run lives.
/// </summary>
public static class SingleStage
{
    public static async Task<StageOutcome> RunAsync(JobLayout layout, PipelineDefinition pipeline, string stage, ILogSink? console, CancellationToken cancellationToken)
    {
        var definition = pipeline.Find(stage) ?? throw new PipelineInvalidException(new PipelineError(
            $"job {layout.JobId} has no stage '{stage}'", Hint: $"stages are: {string.Join(", ", pipeline.Stages.Select(s => s.Id))}"));
        var time = TimeProvider.System;
        var redactor = PipelineRunner.SecretsOf(pipeline);
        var runId = File.Exists(layout.JobManifestPath) ? ManifestJson.ReadJob(layout.JobManifestPath).RunId : JobIds.NewRunId();
        // The stage joins the job's last run (its run id); the lock says it is exec-stage that holds the job.
        using var runLock = RunLock.Acquire(layout, "exec-stage", runId);
        using var logging = new RunLogging(layout, redactor, time, console, Microsoft.Extensions.Logging.LogLevel.Information, legacyStageLogs: false, layout.LatestPipelineLog());
        if (runLock.TakenOverFrom is { } dead) LeftoverRun.CleanUp(layout, dead, logging.Pipeline);
        var services = new RunServices(time, redactor, ChecksumCache.Load(layout.StatCachePath, pipeline.Checksum), logging.OpenStage);
        var plan = new ExecutionPlan(pipeline);
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
        JobManifestSeal.Write(layout, job, pipeline.Checksum);
    }

    /// <summary>The pipeline a job ran, read back from its snapshot.</summary>
    public static PipelineDefinition LoadSnapshot(JobLayout layout, Stages.BuiltinStages? builtins = null)
    {
        var yaml = layout.SnapshotPath;
        var run = layout.SnapshotRunPath;
        if (!File.Exists(yaml) || !File.Exists(run))
            throw new PipelineInvalidException(new PipelineError($"job {layout.JobId} has no pipeline snapshot in {layout.StateDir}", Hint: "only jobs run from a pipeline file can run a single stage; run the pipeline first with 'waybill run'"));
        ThrowIfSnapshotChanged(layout);
        var info = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(run))!;
        var overrides = OverridesOf(info);
        var baseDirectory = info["base_directory"]?.GetValue<string>();
        return PipelineFileLoader.Parse(File.ReadAllText(yaml), info["source_path"]?.GetValue<string>() ?? yaml, overrides, builtins, baseDirectory);
    }

    /// <summary>
    /// The snapshot is what the job ran: one edited since (a changed command, say) would run something no record
    /// describes, so it is refused, file by file, against the seals the job manifest keeps.
    /// </summary>
    private static void ThrowIfSnapshotChanged(JobLayout layout)
    {
        var job = File.Exists(layout.JobManifestPath) ? JobRecords.TryReadJob(layout) : null;
        if (job is null) return;
        var errors = new List<PipelineError>();
        foreach (var seal in job.JobFiles.Where(f => f.Path.StartsWith(".waybill/", StringComparison.Ordinal)))
        {
            if (JobFiles.Difference(layout, seal) is not { } now) continue;
            var full = layout.Resolve(seal.Path);
            var what = now == "missing" ? "is missing" : $"was changed after the run wrote it (its checksum is {now}, the job manifest recorded {seal.Checksum})";
            errors.Add(new PipelineError($"the pipeline snapshot {full} {what}; resume and exec-stage run only what the job ran",
                Hint: $"restore the file, or run the pipeline file again with 'waybill run <pipeline> --job-id {layout.JobId}' (which writes a new snapshot)"));
        }
        if (errors.Count > 0) throw new PipelineInvalidException(errors);
    }

    /// <summary>The <c>--set</c> overrides the job was run with, as its snapshot recorded them (already applied by <see cref="LoadSnapshot"/>).</summary>
    public static IReadOnlyList<string> SnapshotOverrides(JobLayout layout) =>
        OverridesOf(System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(layout.StateDir, "run.json")))!);

    private static List<string> OverridesOf(System.Text.Json.Nodes.JsonNode info) =>
        info["overrides"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [];
}
