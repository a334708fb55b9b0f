using Microsoft.Extensions.Logging;
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
        var runId = File.Exists(layout.JobManifestPath) ? JobJournalFile.ReadJob(layout).RunId : JobIds.NewRunId();
        // The stage joins the job's last run (its run id); the lock says it is exec-stage that holds the job.
        using var runLock = RunLock.Acquire(layout, "exec-stage", runId);
        // The stage's result is written into the job manifest and sealed anew: an edit made since would be sealed with it.
        if (JobManifestSeal.Changed(layout) is { } edited)
            throw new PipelineInvalidException(new PipelineError(
                $"manifest.json of job {layout.JobId} was changed after the run wrote it ({edited}): exec-stage would seal the change",
                Hint: $"run 'waybill verify {layout.JobId}' to see what changed, then run the pipeline again with --job-id {layout.JobId}"));
        // As in a run: room for the stage's failure records, given back to the first writer that meets a full disk.
        using var reserve = PipelineRunner.TakeReserve(layout, 1);
        var diskFull = new DiskFullWatch(reserve, layout.Root);
        using var logging = new RunLogging(layout, redactor, time, console, Microsoft.Extensions.Logging.LogLevel.Information,
            legacyStageLogs: false, layout.LatestPipelineLog(), e => diskFull.FreeSpace(e));
        if (runLock.TakenOverFrom is { } dead) LeftoverRun.CleanUp(layout, dead, logging.Pipeline);
        using var services = new RunServices(time, redactor, ChecksumCache.Load(layout.StatCachePath, pipeline.Checksum), logging.OpenStage)
        {
            DiskFull = diskFull,
        };
        var plan = new ExecutionPlan(pipeline);
        var invocation = new StageInvocation(pipeline, definition, layout, runId, plan.PositionOf(definition.Id), plan.Order.Count);
        OutputsAside.Recover(layout, definition, logging.Pipeline);
        StageTransitions.Started(logging.Pipeline, invocation);
        logging.Events.Transition(time.GetUtcNow(), "stage_started", definition.Id, "running", null, "exec-stage");
        var outcome = await Execute(invocation, services, diskFull, cancellationToken);
        StageTransitions.Finished(logging.Pipeline, definition.Name, outcome);
        logging.Events.Transition(time.GetUtcNow(), "stage_finished", definition.Id, outcome.Status.ToText(), outcome.DurationSeconds, outcome.Reason);
        if (outcome.Status == StageStatus.Failed)
            diskFull.FreeSpaceIfFull(outcome.Manifest.Errors.Select(e => e.Message).Append(outcome.Reason));
        if (diskFull.TakeAnnouncement() is { } full)
        {
            logging.Pipeline.LogError("{Problem}: the failure is recorded in the space Waybill reserved for it. "
                + "Free space there, then run 'waybill exec-stage {JobId} {Stage}' again", full, layout.JobId, definition.Id);
        }
        logging.Dispose();
        try
        {
            UpdateJobManifest(layout, pipeline, outcome, logging.PipelineLogPath);
        }
        catch (IOException e) when (diskFull.FreeSpace(e, layout.JobManifestPath, records: true))
        {
            // Written atomically: the first try left the old job manifest whole; this one goes into the reserve.
            UpdateJobManifest(layout, pipeline, outcome, logging.PipelineLogPath);
        }
        return outcome;
    }

    /// <summary>The stage; one whose own records meet a full disk is recorded as failed in the space the reserve gives back.</summary>
    private static async Task<StageOutcome> Execute(StageInvocation invocation, RunServices services, DiskFullWatch diskFull,
        CancellationToken cancellationToken)
    {
        try
        {
            return await StageRunner.RunAsync(invocation, services, cancellationToken);
        }
        catch (IOException e) when (IO.FileSystemErrors.IsDiskFull(e))
        {
            return JobRecords.RecordNoSpace(invocation, services, diskFull, e);
        }
    }

    /// <summary>The job manifest learns the stage's new status, the lineage is rebuilt from every stage manifest, and the logs this stage added to are sealed again.</summary>
    private static void UpdateJobManifest(JobLayout layout, PipelineDefinition pipeline, StageOutcome outcome, string pipelineLog)
    {
        if (!File.Exists(layout.JobManifestPath)) return;
        var job = JobJournalFile.ReadJob(layout);
        if (job.Stages.FirstOrDefault(s => s.StageId == outcome.StageId) is not { } summary) return;
        JobRecords.Update(summary, outcome, layout, pipeline.Checksum);
        var manifests = job.Stages.Select(s => layout.StageManifestPath(s.StageId)).Where(File.Exists).Select(ManifestJson.ReadStage);
        job.Lineage = [.. JobRecords.LineageOf(manifests)];
        JobRecords.SealLogs(job, layout, job, pipelineLog, pipeline.Checksum);
        JobManifestSeal.WriteWhole(layout, job, pipeline.Checksum);
    }
}
