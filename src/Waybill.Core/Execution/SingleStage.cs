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
    /// <param name="secrets">Values to mask besides those the pipeline marks secret (see <see cref="LoadedSnapshot.Secrets"/>).</param>
    public static async Task<StageOutcome> RunAsync(JobLayout layout, PipelineDefinition pipeline, string stage, ILogSink? console,
        CancellationToken cancellationToken, IReadOnlyList<string>? secrets = null)
    {
        var definition = pipeline.Find(stage) ?? throw new PipelineInvalidException(new PipelineError(
            $"job {layout.JobId} has no stage '{stage}'", Hint: $"stages are: {string.Join(", ", pipeline.Stages.Select(s => s.Id))}"));
        if (JobFolderLinks.RecordFoldersProblem(layout) is { } linked) throw new JobFolderException(linked);
        var time = TimeProvider.System;
        var redactor = PipelineRunner.SecretsOf(pipeline, secrets);
        var runId = File.Exists(layout.JobManifestPath) ? ManifestJson.ReadJob(layout.JobManifestPath).RunId : JobIds.NewRunId();
        // The stage joins the job's last run (its run id); the lock says it is exec-stage that holds the job.
        using var runLock = RunLock.Acquire(layout, "exec-stage", runId);
        // The stage's result is written into the job manifest and sealed anew: an edit made since would be sealed with it.
        if (JobManifestSeal.Changed(layout) is { } edited)
            throw new PipelineInvalidException(new PipelineError(
                $"manifest.json of job {layout.JobId} was changed after the run wrote it ({edited}): exec-stage would seal the change",
                Hint: $"run 'waybill verify {layout.JobId}' to see what changed, then run the pipeline again with --job-id {layout.JobId}"));
        using var logging = new RunLogging(layout, redactor, time, console, Microsoft.Extensions.Logging.LogLevel.Information,
            legacyStageLogs: false, layout.LatestPipelineLog());
        if (runLock.TakenOverFrom is { } dead) LeftoverRun.CleanUp(layout, dead, logging.Pipeline);
        var services = new RunServices(time, redactor, ChecksumCache.Load(layout.StatCachePath, pipeline.Checksum), logging.OpenStage);
        var plan = new ExecutionPlan(pipeline);
        var invocation = new StageInvocation(pipeline, definition, layout, runId, plan.PositionOf(definition.Id), plan.Order.Count);
        OutputsAside.Recover(layout, definition, logging.Pipeline);
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
}
