using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Waybill.Core.Caching;
using Waybill.Core.Execution.Resources;
using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Processes;
using Waybill.Core.Secrets;

namespace Waybill.Core.Execution;

/// <summary>
/// The orchestrator: decides what runs when (dependencies, <c>--jobs</c>, failures, cancellation), logs the
/// stage transitions, and is the only writer of the job-level manifest. Stages run through an <see cref="IStageExecutor"/>.
/// </summary>
public static class PipelineRunner
{
    private static readonly TimeSpan JobManifestInterval = TimeSpan.FromSeconds(1);

    public static async Task<RunResult> RunAsync(PipelineDefinition pipeline, RunOptions options, CancellationToken cancellationToken)
    {
        PipelineValidator.ThrowIfInvalid(pipeline);
        var time = options.Time;
        var jobId = options.JobId ?? JobIds.New(time);
        if (JobIds.Problem(jobId) is { } problem) throw new PipelineInvalidException(new PipelineError(problem, Field: "--job-id"));
        var layout = new JobLayout(Path.Combine(options.OutputRoot, jobId));
        var plan = new ExecutionPlan(pipeline);
        var selection = RunSelection.Resolve(plan, options.Force, options.From, options.Until);
        var resources = options.Resources ?? RunResources.Machine;
        ResourceCheck.ThrowIfTooLarge(plan.Order.Where(s => selection.Includes(s.Id)), resources);
        PrepareJobFolder(layout);

        var redactor = SecretsOf(pipeline, options.Secrets);
        var runId = JobIds.NewRunId();
        using var runLock = RunLock.Acquire(layout, "run", runId);
        // Read under the lock; a job written by a newer Waybill is refused here, before anything in it is written.
        var previousJob = JobRecords.TryReadJob(layout);
        // Room to record a failure in when the disk fills up: given back to the first writer that meets a full disk.
        using var reserve = TakeReserve(layout, plan.Order.Count);
        var diskFull = new DiskFullWatch(reserve, layout.Root);
        using var logging = new RunLogging(layout, redactor, time, options.Console, options.ConsoleLevel, options.LegacyStageLogs,
            onDiskFull: e => diskFull.FreeSpace(e));
        // The stat cache lets unchanged files (external inputs above all) go unhashed from run to run; lost or damaged, it is rebuilt.
        var services = new RunServices(time, redactor, ChecksumCache.Load(layout.StatCachePath, pipeline.Checksum), logging.OpenStage)
        {
            DiskFull = diskFull,
        };
        var executor = options.Executor?.Invoke(services) ?? new LocalExecutor(services);
        // What each finished stage recorded: its consumers read only the outputs it claims (see ProducerRecords).
        var producers = new ProducerRecords(pipeline, layout);
        var freshness = new FreshnessCheck(pipeline, layout, services) { Producers = producers };
        var clock = Stopwatch.StartNew();
        var log = logging.Pipeline;
        if (runLock.TakenOverFrom is { } dead) LeftoverRun.CleanUp(layout, dead, log);
        // Outputs a killed attempt had moved aside are put back (or, when its manifest says success, deleted) first.
        OutputsAside.RecoverAll(layout, pipeline, log);

        JobRecords.WriteMetadata(layout, pipeline, runId, time, options, redactor);
        JobRecords.WriteSnapshot(layout, pipeline, options.Overrides, redactor);
        var job = JobRecords.NewJobManifest(layout, pipeline, plan, runId, time, services.Host, Path.GetRelativePath(layout.Root, logging.PipelineLogPath));
        JobRecords.KeepUnselected(job, layout, selection, previousJob);
        job.JobFiles = JobFiles.Seal(layout, pipeline.Checksum);
        WriteJob(mustLand: true);
        logging.Events.Transition(time.GetUtcNow(), "job_started", null, "running", null, null);
        var observers = new RunObservers(options.Observers, log);
        observers.Each(o => o.JobStarted(new RunStarted(pipeline, layout, runId, time.GetUtcNow(), log, redactor)));
        log.LogInformation("Pipeline {Pipeline}: job {JobId}, run {RunId}, {Count} stages, up to {Jobs} in parallel on {Resources}",
            pipeline.Name, jobId, runId, plan.Order.Count, options.MaxParallel, resources);
        if (ResourceCheck.UnlimitedMemory(plan.Order.Where(s => selection.Includes(s.Id))) is { } unlimited) log.LogWarning("{Warning}", unlimited);

        var outcomes = new Dictionary<string, StageOutcome>(StringComparer.Ordinal);
        var optionals = new OptionalFailures(plan);
        var pending = new PendingStages(plan, plan.Order.Select(s => s.Id).Where(selection.Includes));
        var jobStages = job.Stages.ToDictionary(s => s.StageId, StringComparer.Ordinal);
        if (previousJob is not null) freshness.Preload(pending.InOrder().Where(id => selection.ForcedBecause(id) is null));
        if (selection.Description is { } selected) log.LogInformation("Selected: {Selection}", selected);
        var running = new Dictionary<Task<StageOutcome>, ResourceGrant>();
        var pool = new ResourcePool(resources);
        var starts = new StartQueue(pending, pool, id => plan.ById[id].Controls, Math.Max(1, options.MaxParallel));
        var childrenBefore = ChildProcess.Started;
        string? stoppedBy = null;
        string? noSpace = null;
        var lastJobWrite = Stopwatch.StartNew();

        while (pending.Count > 0 || running.Count > 0)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                while (pending.TryTakeBlocked(out var id, out var failedDependency))
                {
                    optionals.Inherit(id, failedDependency);
                    Record(NotRun(id, StageStatus.Skipped, $"upstream failed: {optionals.Label(failedDependency)}"), blocksDependents: true);
                }
                while (stoppedBy is null && running.Count < Math.Max(1, options.MaxParallel) && starts.TryTake(out var id, out var grant))
                {
                    var stage = plan.ById[id];
                    jobStages[id].Status = "running";
                    // Off this thread: a stage whose code blocks (a synchronous C# stage) must not hold up the others.
                    running[Task.Run(() => DecideAndExecute(stage, grant), CancellationToken.None)] = grant;
                }
            }

            if (running.Count == 0)
            {
                var reason = cancellationToken.IsCancellationRequested ? null
                    : noSpace is not null ? $"not run: {noSpace}"
                    : stoppedBy is null ? "dependencies never completed"
                    : $"not run: {stoppedBy} failed (use --keep-going to run independent stages)";
                foreach (var id in pending.InOrder().ToList())
                    Record(NotRun(id, reason is null ? StageStatus.Cancelled : StageStatus.Skipped, reason ?? "run cancelled before the stage started"));
                break;
            }

            var finished = await Task.WhenAny(running.Keys);
            pool.Release(running[finished]);
            running.Remove(finished);
            var outcome = await finished;
            // A full disk fails every stage after it: none starts, --keep-going or not.
            if (outcome.Status == StageStatus.Failed
                && (diskFull.Message is not null || diskFull.FreeSpaceIfFull(outcome.Manifest.Errors.Select(e => e.Message).Append(outcome.Reason))))
                noSpace ??= diskFull.Message;
            var forgiven = noSpace is null && optionals.Forgive(outcome);
            Record(outcome);
            // One item failing fails that item and what depends on it: the other items go on (keep-going per item).
            var perItem = plan.ById[outcome.StageId].Item is not null;
            if (outcome.Status == StageStatus.Failed && !forgiven && ((!options.KeepGoing && !perItem) || noSpace is not null)) stoppedBy ??= outcome.StageId;
        }

        clock.Stop();
        if (ChildProcess.Started > childrenBefore && LeftoverRun.StopStrays(layout, runId) is > 0 and var strays)
            log.LogWarning("Stopped {Count} process group(s) that commands of this run left running outside their own (setsid, daemons)", strays);
        if (diskFull.TakeAnnouncement() is { } late) log.LogError("{Problem}: the run's records went into the space Waybill reserved for them", late);
        var status = outcomes.Values.Any(o => o.Status == StageStatus.Failed && !optionals.IsForgiven(o.StageId)) ? StageStatus.Failed
            : outcomes.Values.Any(o => o.Status == StageStatus.Cancelled) ? StageStatus.Cancelled
            : StageStatus.Success;
        var upToDate = outcomes.Values.Count(o => o.Status == StageStatus.Skipped && o.Reason == StageDecision.UpToDate);
        var optionalFailed = optionals.Count > 0 ? $" ({optionals.Count} optional)" : "";
        var summary = $"{Count(StageStatus.Success)} succeeded, {Count(StageStatus.Failed)} failed{optionalFailed}, {Count(StageStatus.Skipped)} skipped"
            + $"{(upToDate > 0 ? $" ({upToDate} up to date)" : "")}, {Count(StageStatus.Cancelled)} cancelled";
        // The last line names every optional stage that failed: a success with a failure in it is never silent.
        var forgivenText = optionals.Summary(redactor);
        var elapsed = clock.Elapsed.TotalSeconds;
        if (status == StageStatus.Success && forgivenText is not null)
            log.LogWarning("Pipeline {Pipeline}: {Status} ({Summary}) in {Seconds:0.0}s; {Forgiven}", pipeline.Name, "SUCCESS", summary, elapsed, forgivenText);
        else if (status == StageStatus.Success) log.LogInformation("Pipeline {Pipeline}: {Status} ({Summary}) in {Seconds:0.0}s", pipeline.Name, "SUCCESS", summary, elapsed);
        else log.LogError("Pipeline {Pipeline}: {Status} ({Summary}) in {Seconds:0.0}s{Forgiven}", pipeline.Name, status.ToText().ToUpperInvariant(), summary, elapsed,
            forgivenText is null ? "" : "; " + forgivenText);

        logging.Events.Transition(time.GetUtcNow(), "job_finished", null, status.ToText(), elapsed, null, warnings: optionals.Messages(redactor));
        await observers.FinishAsync(status, time.GetUtcNow());

        SaveStatCache(services.Checksums, layout, log);
        // The logs are closed before the job manifest seals them: no line may follow the seal.
        logging.Dispose();
        JobRecords.Complete(job, layout, plan, outcomes, status, time, clock.Elapsed);
        job.Warnings = optionals.Warnings(redactor);
        JobRecords.SealLogs(job, layout, previousJob, logging.PipelineLogPath, pipeline.Checksum);
        WriteJob(mustLand: true);

        return new RunResult(jobId, layout.Root, status, [.. plan.Order.Where(s => outcomes.ContainsKey(s.Id)).Select(s => outcomes[s.Id])], logging.PipelineLogPath, clock.Elapsed.TotalSeconds)
        {
            Warnings = optionals.Messages(redactor) ?? [],
        };

        int Count(StageStatus s) => outcomes.Values.Count(o => o.Status == s);

        // A write that meets a full disk is tried again in the space the reserve gives back; one that may wait for the next
        // write (mid-run) is left for it once the reserve is gone. The first and the last write always try again.
        void WriteJob(bool mustLand)
        {
            try
            {
                JobManifestSeal.Write(layout, job, pipeline.Checksum);
                return;
            }
            catch (IOException e) when (IO.FileSystemErrors.IsDiskFull(e))
            {
                if (!diskFull.FreeSpace(e, layout.JobManifestPath, records: true) && !mustLand) return;
            }
            JobManifestSeal.Write(layout, job, pipeline.Checksum);
        }

        async Task<StageOutcome> DecideAndExecute(StageDefinition stage, ResourceGrant grant)
        {
            StageDecision decision;
            try
            {
                decision = await freshness.DecideAsync(stage, selection.ForcedBecause(stage.Id), null, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return NotRun(stage.Id, StageStatus.Cancelled, "run cancelled before the stage started");
            }
#pragma warning disable CA1031 // A check that cannot decide (an unreadable file, say) means the stage runs: never a false "up to date".
            catch (Exception e)
#pragma warning restore CA1031
            {
                decision = StageDecision.RunBecause(null, $"cannot tell whether it is up to date ({e.Message})");
            }
            options.Decisions?.Report((stage.Id, decision));
            var invocation = Invocation(stage) with { Reasons = decision.Reasons, Resources = grant };
            if (!decision.Run)
            {
                // Already recorded as up to date by an earlier run: the manifest and stage.log say so already, and
                // leaving them untouched is what keeps a no-op rerun of a thousand stages near the cost of a dry run.
                if (decision.Previous is { Status: "skipped", StatusReason: StageDecision.UpToDate, ProducedBy: not null } unchanged)
                    return new StageOutcome(stage.Id, StageStatus.Skipped, StageDecision.UpToDate, 0, unchanged);
                // The reason is in stage.log and the manifest; the pipeline log's ⏭ line says "up to date".
                return StageRunner.RecordUpToDate(invocation, services, decision.Previous!, decision.Reasons);
            }
            if (decision.Previous is not null) log.LogInformation("Stage {Stage} runs: {Reason}", stage.Id, decision.Summary);
            StageTransitions.Started(log, invocation);
            logging.Events.Transition(time.GetUtcNow(), "stage_started", stage.Id, "running", null, null);
            observers.Each(o => o.StageStarted(invocation, time.GetUtcNow()));
            return await Execute(invocation);
        }

        StageInvocation Invocation(StageDefinition stage) => new(pipeline, stage, layout, runId, plan.PositionOf(stage.Id), plan.Order.Count)
        {
            Producers = producers,
        };

        async Task<StageOutcome> Execute(StageInvocation invocation)
        {
            try
            {
                return await executor.ExecuteAsync(invocation, cancellationToken);
            }
#pragma warning disable CA1031 // An executor failure (e.g. a folder that became unwritable) fails this stage only.
            catch (Exception e)
#pragma warning restore CA1031
            {
                log.LogError(e, "stage {Stage} could not run: {Reason}", invocation.Stage.Id, e.Message);
                if (IO.FileSystemErrors.IsDiskFull(e)) return JobRecords.RecordNoSpace(invocation, services, diskFull, e);
                var manifest = ManifestJson.TryReadStage(layout.StageManifestPath(invocation.Stage.Id), out var m) ? m! : null;
                return new StageOutcome(invocation.Stage.Id, StageStatus.Failed, e.Message, 0, manifest ?? JobRecords.Placeholder(invocation, services, StageStatus.Failed, e.Message));
            }
        }

        StageOutcome NotRun(string id, StageStatus status, string reason)
        {
            var invocation = Invocation(plan.ById[id]);
            try
            {
                return StageRunner.RecordNotRun(invocation, services, status, reason);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.LogWarning("cannot record stage {Stage} as {Status}: {Reason}", id, status.ToText(), e.Message);
                return new StageOutcome(id, status, reason, 0, JobRecords.Placeholder(invocation, services, status, reason));
            }
        }

        void Record(StageOutcome outcome, bool blocksDependents = false)
        {
            outcomes[outcome.StageId] = outcome;
            producers.Finished(outcome.StageId, outcome.Manifest);
            var blocks = blocksDependents || outcome.Status is StageStatus.Failed or StageStatus.Cancelled;
            // An optional stage's branch blocks only the dependents that need its outputs.
            if (blocks && optionals.InBranch(outcome.StageId)) pending.Finished(outcome.StageId, d => optionals.Blocks(outcome.StageId, d));
            // An item that failed leaves out only itself from a stage that reads it as an optional input (a gather).
            else if (blocks && plan.ById[outcome.StageId].Item is not null)
                pending.Finished(outcome.StageId, d => !OptionalFailures.ReadsOnlyOptionally(plan, outcome.StageId, d));
            else pending.Finished(outcome.StageId, blocks);
            var forgiven = optionals.IsForgiven(outcome.StageId);
            StageTransitions.Finished(log, plan.ById[outcome.StageId].DisplayName, outcome, forgiven);
            options.Progress?.Report(outcome);
            logging.Events.Transition(time.GetUtcNow(), "stage_finished", outcome.StageId, outcome.Status.ToText(), outcome.DurationSeconds, outcome.Reason,
                optional: forgiven);
            observers.Each(o => o.StageFinished(Invocation(plan.ById[outcome.StageId]), outcome, time.GetUtcNow()));
            JobRecords.Update(job, outcome, layout, pipeline.Checksum);
            if (diskFull.TakeAnnouncement() is { } full)
            {
                log.LogError("{Problem}: no more stages start; the failure is recorded in the space Waybill reserved for it. "
                    + "Free space there, then run 'waybill resume {JobId}'", full, jobId);
            }
            if (lastJobWrite.Elapsed >= JobManifestInterval || outcome.Status == StageStatus.Failed)
            {
                WriteJob(mustLand: false);
                lastJobWrite.Restart();
            }
        }
    }

    /// <summary>The room to record a failure in; a disk already too full for it refuses the command before it changes anything.</summary>
    internal static RecordReserve TakeReserve(JobLayout layout, int stageCount)
    {
        var bytes = RecordReserve.SizeFor(stageCount);
        try
        {
            return RecordReserve.Take(layout, bytes);
        }
        catch (IOException e) when (IO.FileSystemErrors.IsDiskFull(e))
        {
            throw new JobFolderException($"{IO.FileSystemErrors.NoSpaceOn(layout.Root)}: the run did not start, nothing was changed " +
                $"(it sets aside {bytes / 1024} KiB to record its results). Free space there and run again.", e);
        }
    }

    private static void SaveStatCache(ChecksumCache checksums, JobLayout layout, ILogger log)
    {
        try
        {
            checksums.Save(layout.StatCachePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only speed is lost: the next run hashes again.
            log.LogDebug("stat cache not saved: {Reason}", e.Message);
        }
    }

    private static void PrepareJobFolder(JobLayout layout)
    {
        // Checked before anything is created: the lock, the snapshot and the logs would all be written through the link.
        if (JobFolderLinks.RecordFoldersProblem(layout) is { } linked) throw new JobFolderException(linked);
        try
        {
            Directory.CreateDirectory(layout.Root);
            Directory.CreateDirectory(layout.LogsDir);
            Directory.CreateDirectory(layout.CacheDir);
            Directory.CreateDirectory(layout.StateDir);
            var probe = Path.Combine(layout.StateDir, ".write-test");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JobFolderException($"cannot write the job folder {layout.Root}: {e.Message}. Choose another --out folder or fix its permissions.", e);
        }
    }

    /// <summary>
    /// Secret values from the environment (by name or listed under <c>secrets:</c>), from <c>env:</c> entries and config
    /// keys that look secret, and <paramref name="extra"/> ones the caller knows of (credentials in an option, values a
    /// resumed job was given again).
    /// </summary>
    public static Redactor SecretsOf(PipelineDefinition pipeline, IEnumerable<string>? extra = null)
    {
        var redactor = new Redactor();
        redactor.AddSecretEnvironment(StageContext.CurrentEnvironment());
        foreach (var name in pipeline.SecretEnv) redactor.Add(pipeline.Env.GetValueOrDefault(name) ?? Environment.GetEnvironmentVariable(name));
        foreach (var (key, value) in pipeline.Env.Concat(pipeline.Stages.SelectMany(s => s.Env)))
            if (Redactor.IsSecretName(key) || pipeline.SecretEnv.Contains(key)) redactor.Add(value);
        // Masking the config registers every value it masks, numbers and lists under secret names included.
        foreach (var config in pipeline.Stages.Select(pipeline.ConfigFor).Prepend(pipeline.Config))
            Secrets.ConfigMask.MaskAll(config, pipeline.SecretConfig, redactor);
        foreach (var value in extra ?? []) redactor.Add(value);
        return redactor;
    }
}
