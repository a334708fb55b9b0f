using System.Diagnostics;
using System.Runtime.ExceptionServices;
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
/// The orchestrator: prepares the job folder and the run's records, then composes a <see cref="StageScheduler"/> (what
/// runs when), <see cref="StageWork"/> (deciding, running, recording each stage through an <see cref="IStageExecutor"/>)
/// and the <see cref="JobJournal"/> (the run's transitions and the job manifest).
/// </summary>
public static class PipelineRunner
{
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
            onDiskFull: e => diskFull.FreeSpace(e), exporters: options.Observers.OfType<ILogSink>());
        // The stat cache lets unchanged files (external inputs above all) go unhashed from run to run; lost or damaged, it is rebuilt.
        using var services = new RunServices(time, redactor, ChecksumCache.Load(layout.StatCachePath, pipeline.Checksum), logging.OpenStage)
        {
            DiskFull = diskFull,
            StageProgress = options.StageProgress,
        };
        var executor = CachingExecutor.Around(options.Executor?.Invoke(services) ?? new LocalExecutor(services), options.Cache, services, logging.Pipeline,
            id => selection.ForcedBecause(id) is not null);
        // What each finished stage recorded: its consumers read only the outputs it claims (see ProducerRecords).
        var producers = new ProducerRecords(pipeline, layout);
        using var freshness = new FreshnessCheck(pipeline, layout, services) { Producers = producers };
        var clock = Stopwatch.StartNew();
        var log = logging.Pipeline;
        if (runLock.TakenOverFrom is { } dead) LeftoverRun.CleanUp(layout, dead, log);
        // Outputs a killed attempt had moved aside are put back (or, when its manifest says success, deleted) first.
        OutputsAside.RecoverAll(layout, pipeline, log);

        JobRecords.WriteMetadata(layout, pipeline, runId, time, options, redactor);
        JobRecords.WriteSnapshot(layout, pipeline, runId, options.Overrides, redactor);
        var job = JobRecords.NewJobManifest(layout, pipeline, plan, runId, time, services.Host, Path.GetRelativePath(layout.Root, logging.PipelineLogPath));
        JobRecords.KeepUnselected(job, layout, selection, previousJob);
        job.JobFiles = JobFiles.Seal(layout, pipeline.Checksum);
        var observers = new RunObservers(options.Observers, log);
        using var journal = new JobJournal(layout, job, pipeline.Checksum, diskFull, logging, observers, options.Progress, time)
        {
            Items = options.StageProgress is { } stageProgress ? new FanOutProgress(job.Stages, stageProgress) : null,
        };
        journal.Open(new RunStarted(pipeline, layout, runId, time.GetUtcNow(), log, redactor));
        log.LogInformation("Pipeline {Pipeline}: job {JobId}, run {RunId}, {Count} stages, up to {Jobs} in parallel on {Resources}",
            pipeline.Name, jobId, runId, plan.Order.Count, options.MaxParallel, resources);
        if (ResourceCheck.UnlimitedMemory(plan.Order.Where(s => selection.Includes(s.Id))) is { } unlimited) log.LogWarning("{Warning}", unlimited);

        var optionals = new OptionalFailures(plan);
        var selected = plan.Order.Select(s => s.Id).Where(selection.Includes).ToList();
        var scheduler = new StageScheduler(plan, selected, optionals, resources, options.MaxParallel, options.KeepGoing);
        if (KeptOutcome.Slim(plan.Order.Count)) freshness.LeaveConfigOnDisk();
        if (previousJob is not null) freshness.Preload(selected.Where(id => selection.ForcedBecause(id) is null));
        if (selection.Description is { } description) log.LogInformation("Selected: {Selection}", description);
        using var slots = new CommandSlots(Math.Max(1, options.MaxParallel));
        var work = new StageWork(plan, layout, runId, services, executor, freshness, selection, producers, journal, diskFull, options, log, slots,
            cancellationToken);
        var childrenBefore = ChildProcess.Started;
        await scheduler.RunAsync(work, cancellationToken);
        // The scheduler ends where the last stage did, on a command slot's thread perhaps: the rest of the run leaves it.
        await Task.Yield();
        var outcomes = work.Outcomes;
        // Observers that can start their last work now (the catalog's last transaction) do it on the cores the stages left,
        // while the run checks for strays, sums up, saves its stat cache and completes the job manifest.
        var status = RunSummary.StatusOf(outcomes.Values, optionals);
        observers.StagesEnded(status, time.GetUtcNow());

        clock.Stop();
        if (ChildProcess.Started > childrenBefore && LeftoverRun.StopStrays(layout, runId) is > 0 and var strays)
            log.LogWarning("Stopped {Count} process group(s) that commands of this run left running outside their own (setsid, daemons)", strays);
        if (diskFull.TakeAnnouncement() is { } late) log.LogError("{Problem}: the run's records went into the space Waybill reserved for them", late);
        RunSummary.Log(log, pipeline.Name, status, outcomes.Values, optionals, redactor, clock.Elapsed);
        logging.Events.Transition(time.GetUtcNow(), "job_finished", null, status.ToText(), clock.Elapsed.TotalSeconds, null, warnings: optionals.Messages(redactor));
        SaveStatCache(services.Checksums, layout, log);
        JobRecords.Complete(job, layout, plan, outcomes, status, time, clock.Elapsed);
        job.Cost = Costs.JobCost.Sum(pipeline.RateCard, outcomes.Values);
        job.Warnings = optionals.Warnings(redactor);
        // In stage order, a dynamic fan-out's items (appended to the plan as they were found) beside their stage.
        var result = new RunResult(jobId, layout.Root, status, [.. plan.Order.Where(s => outcomes.ContainsKey(s.Id))
                .OrderBy(s => s.Number).ThenBy(s => s.Id, StringComparer.Ordinal).Select(s => outcomes[s.Id])],
            logging.PipelineLogPath, clock.Elapsed.TotalSeconds)
        {
            Warnings = optionals.Messages(redactor) ?? [],
            Cost = job.Cost,
        };
        // Told before the run waits for its observers: the CLI prints its summary while the catalog writes its last transaction.
        var told = Tell(options.Ended, result);
        await observers.FinishAsync(status, time.GetUtcNow());

        // The logs are closed before the job manifest seals them: no line may follow the seal.
        logging.Dispose();
        JobRecords.SealLogs(job, layout, previousJob, logging.PipelineLogPath, pipeline.Checksum);
        journal.Close();
        told?.Throw();
        return result;
    }

    /// <summary>What <paramref name="ended"/> threw, kept until the run's records are complete (a summary that cannot be printed).</summary>
    private static ExceptionDispatchInfo? Tell(Action<RunResult>? ended, RunResult result)
    {
        try
        {
            ended?.Invoke(result);
            return null;
        }
#pragma warning disable CA1031 // Rethrown once the job manifest is complete.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ExceptionDispatchInfo.Capture(e);
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
        // Masking the config registers every value it masks, numbers and lists under secret names included. A stage without
        // config of its own has the pipeline's, masked once already (copying it for each of 500 stages took 5 ms, perf).
        foreach (var config in pipeline.Stages.Where(s => s.Config.Count > 0).Select(pipeline.ConfigFor).Prepend(pipeline.Config))
            Secrets.ConfigMask.MaskAll(config, pipeline.SecretConfig, redactor);
        foreach (var value in extra ?? []) redactor.Add(value);
        return redactor;
    }
}
