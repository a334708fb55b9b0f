using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Waybill.Core.Caching;
using Waybill.Core.Execution.Attempts;
using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Pipeline.Controls;
using Waybill.Core.Stages;

namespace Waybill.Core.Execution;

/// <summary>
/// One stage's whole life: folder, stage.log, the work, then finalize — declared outputs
/// checked, every tracked file stat'ed and hashed, resources measured — and the final manifest written atomically.
/// </summary>
public static class StageRunner
{
    public static async Task<StageOutcome> RunAsync(StageInvocation invocation, RunServices services, CancellationToken cancellationToken)
    {
        var (pipeline, stage, layout) = (invocation.Pipeline, invocation.Stage, invocation.Layout);
        // A folder this call made is no link and holds no earlier samples or manifest: the first run of a stage (every item
        // of a new fan-out) skips the lstat, unlink, stat and lstat that would find nothing (strace of 500 no-op items).
        var newFolder = IO.PathEntry.TryMakeNewFolder(layout.StageDir(stage.Id));
        if (!newFolder && JobFolderLinks.StageFolderProblem(layout, stage.Id) is { } linked)
            return Unrecorded(invocation, services, StageStatus.Failed, linked);
        var clock = Stopwatch.StartNew();
        // A command stage's figures are its processes' own (Measure): the engine's getrusage is read for in-process stages only.
        var (userBefore, systemBefore, _) = stage.Kind == StageKind.Command ? default : ProcessMeter.Read();
        // An in-process stage's own code, told apart from the engine's and the other stages' work (the figure above).
        var flowCpu = stage.Kind == StageKind.Command ? null : new Resources.FlowCpuMeter();
        if (!newFolder) Directory.CreateDirectory(layout.StageDir(stage.Id));
        using var running = services.Running.Enter();
        using var sampling = StartSampling(invocation, services, newFolder);
        var manifest = NewManifest(invocation, services, "running");
        var manifestPath = layout.StageManifestPath(stage.Id);
        var previousAttempt = newFolder ? 0 : PreviousAttempt(manifestPath);
        manifest.Attempt = previousAttempt + 1;
        manifest.Reasons = invocation.Reasons?.ToList();
        // A rerun first replaces the old manifest, so a run killed now never leaves an old "success" beside half-written outputs.
        if (previousAttempt > 0) ManifestJson.Write(manifestPath, manifest);

        var log = services.OpenStageLog(stage.Id, stage.DisplayName);
        var config = pipeline.ConfigFor(stage);
        log.Logger.LogDebug("stage {StageId} attempt {Attempt}, run {RunId}, job {JobId}", stage.Id, manifest.Attempt, invocation.RunId, layout.JobId);
        if (invocation.Reasons is { Count: > 0 } why) log.Logger.LogDebug("runs because: {Reasons}", string.Join("; ", why));

        // Each try records into a manifest of its own: nothing a failed try tracked or reported is claimed by the next.
        OutputsAside? aside = null;
        var tries = new StageTries(stage.Controls.Retry, services.Time, log.Logger);
        var last = await tries.RunAsync(async number =>
        {
            var result = await TryOnceAsync(invocation, services,
                () => NewContext(invocation, services, manifest, log.Logger, config, sampling), number, flowCpu, cancellationToken);
            aside = result.Aside ?? aside;
            return result;
        }, cancellationToken);
        var (context, status, reason) = (last.Context, last.Status, last.Reason);
        manifest = context.Manifest;
        // Resources and duration cover every try, and the waits between them; each try's cgroup counted only that try.
        context.Cgroup = Resources.StageResources.AcrossTries(
            tries.Results.Select(t => (t.Context.Cgroup, t.Context.Processes.Count > 0)).ToList());
        foreach (var earlier in tries.Results.SkipLast(1).SelectMany(t => t.Context.Processes)) context.RecordProcess(earlier);
        // What earlier tries reported using was spent too (tokens of a request that failed are billed).
        foreach (var (unit, quantity) in tries.Results.SkipLast(1).SelectMany(t => t.Context.Manifest.Resources.Usage ?? []))
            context.ReportUsage(unit, quantity);

        if (StatFiles(context, services.Checksums, status) is { } vanished && status == StageStatus.Success)
        {
            status = StageStatus.Failed;
            reason = vanished;
        }

        // Not a success: the outputs from before this attempt go back, and the manifest does not claim them.
        if (status != StageStatus.Success) aside?.Restore(context);

        clock.Stop();
        var sampled = sampling?.Stop();
        if (sampling?.WriteProblem is { } unwritten) context.AddWarning(unwritten);
        Measure(manifest, context, (userBefore, systemBefore), clock.Elapsed, sampled, flowCpu);
        if (context.Definition.Kind != StageKind.Command) Resources.StageResources.MarkShared(manifest.Resources, running.Overlapped);
        manifest.Cost = Costs.StagePricing.Price(pipeline.RateCard, manifest.Resources);
        manifest.Summary = context.Summary;
        manifest.Status = status.ToText();
        manifest.StatusReason = reason is null ? null : services.Redactor.Redact(reason);
        manifest.FinishedUtc = services.Time.GetUtcNow();
        manifest.DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        if (status is StageStatus.Success or StageStatus.Skipped)
        {
            var codeVersion = StageFingerprinter.CodeVersionOf(stage);
            var declared = StageFingerprinter.DeclaredConfig(pipeline, stage, services.Redactor);
            var tools = new Dictionary<string, string>(stage.Tools, StringComparer.Ordinal);
            foreach (var (tool, command) in context.ToolCommands) tools[tool] = command;
            manifest.Fingerprint = StageFingerprinter.Compute(pipeline, StageFingerprinter.DefinitionDigest(pipeline, stage, services.Redactor, codeVersion), codeVersion, declared, tools, manifest);
        }
        log.Logger.LogDebug("stage {StageId} finished: {Status} in {Seconds:0.###}s", stage.Id, manifest.Status, manifest.DurationSeconds);
        CloseAndSeal(log, manifest, layout, services);
        var checksum = WriteManifest(manifestPath, manifest, services);
        // Only once the manifest says success: a run killed before this point puts the previous outputs back (OutputsAside.Recover).
        if (status == StageStatus.Success) aside?.Discard();
        return new StageOutcome(stage.Id, status, manifest.StatusReason, manifest.DurationSeconds, manifest) { ManifestChecksum = checksum };
    }

    /// <summary>
    /// One try: tool versions, declared inputs, the declared outputs moved aside, then the work under the stage's
    /// <c>timeout</c>. A failure is never thrown: the result carries it, for <see cref="StageTries"/> to record or retry.
    /// </summary>
    private static async Task<TryResult> TryOnceAsync(StageInvocation invocation, RunServices services, Func<StageContext> newContext, int number,
        Resources.FlowCpuMeter? flowCpu, CancellationToken cancellationToken)
    {
        var stage = invocation.Stage;
        var context = newContext();
        var producers = invocation.Producers ?? new ProducerRecords(invocation.Pipeline, invocation.Layout);
        StageStatus status;
        string? reason = null;
        OutputsAside? aside = null;
        (string Message, Exception? Exception)? error = null;
        var workStarted = false;
        using var limit = new StageTimeLimit(stage.Controls.Timeout, services.Time, context.Logger, cancellationToken);
        try
        {
            if (stage.Tools.Count > 0 && ToolVersions.TimeoutProblem is { } timeoutProblem) context.AddWarning(timeoutProblem);
            foreach (var (tool, versionCommand) in stage.Tools)
            {
                var version = await services.Tools.GetAsync(versionCommand, cancellationToken);
                context.SetToolVersion(tool, version, versionCommand);
                if (ToolVersions.TimedOut(version)) context.AddWarning($"tools.{tool}: version command timed out: {version}");
            }
            TrackDeclaredInputs(context, producers);
            if (number > 1) TryLeftovers.Remove(context);
            // Every attempt starts without its declared outputs: none can survive from an earlier one.
            aside = OutputsAside.Prepare(context);
            IStage work = stage.Kind == StageKind.Command ? new CommandStage() : stage.Factory?.Invoke() ?? throw new StageFailedException($"stage {stage.Id} has no implementation");
            workStarted = true;
            await limit.RunAsync(token =>
                flowCpu is null ? work.RunAsync(context, token) : flowCpu.MeasureAsync(() => work.RunAsync(context, token)));
            // What the stage's processes sent (a finalize among it) is merged before the status is read.
            context.CloseChannel();
            status = context.FinalStatus ?? StageStatus.Success;
            reason = context.FinalReason;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            status = StageStatus.Cancelled;
            reason = "cancelled";
            context.AddWarning("stage cancelled before it finished");
        }
#pragma warning disable CA1031 // Whatever the stopped work threw, the timeout is why it ended.
        catch (Exception) when (limit.Expired)
#pragma warning restore CA1031
        {
            status = StageStatus.Failed;
            reason = limit.Reason;
            // Abandoned code still holds its context: the try is recorded in a fresh one that it cannot reach.
            if (limit.Abandoned) context = Abandoned(context, newContext(), producers);
            error = (reason, null);
        }
        catch (StageSkippedException e)
        {
            status = StageStatus.Skipped;
            reason = e.Message;
            context.Logger.LogInformation("{Reason}", e.Message);
        }
        catch (StageFailedException e)
        {
            status = StageStatus.Failed;
            reason = e.Message;
            error = (e.Message, e.InnerException);
        }
#pragma warning disable CA1031 // Any failure of stage code is recorded, never propagated: the run goes on to record the rest.
        catch (Exception e)
#pragma warning restore CA1031
        {
            status = StageStatus.Failed;
            reason = $"{e.GetType().Name}: {e.Message}";
            error = (reason, e);
        }

        // A try that failed or was cancelled keeps what its processes sent until then.
        context.CloseChannel();
        if (status == StageStatus.Success && CheckDeclaredOutputs(context) is { } missing)
        {
            status = StageStatus.Failed;
            reason = missing;
        }
        if (status == StageStatus.Failed && error is null && context.Manifest.Errors.Count == 0) error = (reason ?? "stage failed", null);
        return new TryResult(context, status, reason)
        {
            Error = error?.Message, Exception = error?.Exception, WorkStarted = workStarted, TimedOut = status == StageStatus.Failed && limit.Expired,
            Abandoned = limit.Abandoned, Aside = aside,
        };
    }

    /// <summary>
    /// The record of a try whose code ignored its timeout: its inputs and tool versions, and a warning that says what was
    /// left running.
    /// </summary>
    private static StageContext Abandoned(StageContext held, StageContext fresh, ProducerRecords producers)
    {
        foreach (var (tool, version) in held.Manifest.ToolVersions.ToList()) fresh.Manifest.ToolVersions[tool] = version;
        TrackDeclaredInputs(fresh, producers);
        fresh.AddWarning($"the stage's code did not stop within {Quantities.FormatDuration(StageTimeLimit.AbandonAfter)} of its timeout "
            + "and was left running in this process until it returns or the run ends; nothing it does from now on is recorded, "
            + "and the stage is not retried");
        return fresh;
    }

    /// <summary>A fresh manifest (from the first one: attempt, reasons, start) and the context a try records into.</summary>
    private static StageContext NewContext(StageInvocation invocation, RunServices services, StageManifest first, ILogger logger, JsonObject config,
        Resources.Sampling.SampleWatch? sampling)
    {
        var manifest = NewManifest(invocation, services, "running");
        (manifest.Attempt, manifest.Reasons) = (first.Attempt, first.Reasons);
        (manifest.Timestamp, manifest.StartedUtc) = (first.Timestamp, first.StartedUtc);
        var context = new StageContext(invocation.Stage, invocation.Pipeline, invocation.Layout, manifest, logger, services.Redactor, services.Time,
            config)
        {
            Checksums = services.Checksums,
            PythonClient = services.PythonClient,
            Folders = services.Folders,
            ProgressSink = services.StageProgress,
            Grant = invocation.Resources ?? Resources.ResourceGrant.Requested(invocation.Stage.Controls),
            Sampling = sampling,
        };
        Resources.ResourceRecord.Requested(manifest.Resources, invocation.Stage, context.Grant);
        foreach (var (key, value) in config) manifest.Config[key] = context.Mask(key, value?.DeepClone());
        return context;
    }

    /// <summary>The final manifest; one that meets a full disk says so and goes again into the space the run reserved for it.</summary>
    private static string WriteManifest(string path, StageManifest manifest, RunServices services)
    {
        try
        {
            return ManifestJson.Write(path, manifest, services.Checksums.Algorithm);
        }
        catch (IOException e) when (services.DiskFull?.FreeSpace(e, path, records: true) == true)
        {
            var problem = new ProblemRecord
            {
                Timestamp = services.Time.GetUtcNow(),
                Message = $"{services.DiskFull.Message}: this manifest was first refused ({e.Message})",
            };
            if (manifest.Status == "failed") manifest.Errors.Add(problem);
            else manifest.Warnings.Add(problem);
            return ManifestJson.Write(path, manifest, services.Checksums.Algorithm);
        }
    }

    /// <summary>Closes stage.log and records its size and checksum in the manifest: a line changed or added later is caught by <c>waybill verify</c>.</summary>
    internal static void CloseAndSeal(StageLogHandle log, StageManifest manifest, Jobs.JobLayout layout, RunServices services)
    {
        log.Dispose();
        var path = layout.StageLogPath(manifest.StageId);
        var record = new FileRecord { Type = "log", Path = layout.RelativeToJob(path)!, Format = "text" };
        if (log.Seal is { } seal && services.Checksums.Algorithm == Hashing.ChecksumAlgorithm.XxHash128)
        {
            // Sealed from the bytes as they were written: nothing to read back.
            record.SizeBytes = seal.SizeBytes;
            record.Mtime = new DateTimeOffset(seal.MtimeUtc);
            record.Checksum = seal.Checksum;
            manifest.Log = record;
            return;
        }
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            manifest.Log = null;
            return;
        }
        record.SizeBytes = info.Length;
        record.Mtime = new DateTimeOffset(info.LastWriteTimeUtc);
        record.Checksum = Hashing.FileHasher.Compute(path, services.Checksums.Algorithm);
        manifest.Log = record;
    }

    /// <summary>Records a stage that never started (upstream failed, run cancelled): manifest and stage.log say why.</summary>
    public static StageOutcome RecordNotRun(StageInvocation invocation, RunServices services, StageStatus status, string reason) =>
        RecordNotRun(invocation, services, status, reason, null);

    /// <param name="fill">Adds to the manifest before it is written (a fan-out's list of items and their count).</param>
    internal static StageOutcome RecordNotRun(StageInvocation invocation, RunServices services, StageStatus status, string reason,
        Action<StageManifest>? fill)
    {
        var layout = invocation.Layout;
        if (JobFolderLinks.StageFolderProblem(layout, invocation.Stage.Id) is { } linked)
            return Unrecorded(invocation, services, status, $"{reason}; {linked}");
        Directory.CreateDirectory(layout.StageDir(invocation.Stage.Id));
        var manifest = NewManifest(invocation, services, status.ToText());
        manifest.Attempt = PreviousAttempt(layout.StageManifestPath(invocation.Stage.Id)) + 1;
        manifest.StatusReason = reason;
        manifest.FinishedUtc = manifest.StartedUtc;
        var log = services.OpenStageLog(invocation.Stage.Id, invocation.Stage.DisplayName);
        log.Logger.LogDebug("stage {StageId} not run ({Status}): {Reason}", invocation.Stage.Id, manifest.Status, reason);
        fill?.Invoke(manifest);
        CloseAndSeal(log, manifest, layout, services);
        var checksum = ManifestJson.Write(layout.StageManifestPath(invocation.Stage.Id), manifest, services.Checksums.Algorithm);
        return new StageOutcome(invocation.Stage.Id, status, reason, 0, manifest) { ManifestChecksum = checksum };
    }

    /// <summary>
    /// A stage whose folder is a link out of the job: nothing is written into it. The outcome carries the reason to the
    /// pipeline log, events.jsonl and the job manifest, the records the run still owns.
    /// </summary>
    private static StageOutcome Unrecorded(StageInvocation invocation, RunServices services, StageStatus status, string reason)
    {
        var text = services.Redactor.Redact(reason);
        var manifest = JobRecords.Placeholder(invocation, services, status, text);
        manifest.FinishedUtc = manifest.StartedUtc;
        manifest.Errors.Add(new ProblemRecord { Timestamp = manifest.StartedUtc, Message = text });
        return new StageOutcome(invocation.Stage.Id, status, text, 0, manifest);
    }

    private static StageManifest NewManifest(StageInvocation invocation, RunServices services, string status)
    {
        var now = services.Time.GetUtcNow();
        return new StageManifest
        {
            Stage = invocation.Stage.Name,
            StageId = invocation.Stage.Id,
            StageNumber = invocation.Stage.Number,
            JobId = invocation.Layout.JobId,
            RunId = invocation.RunId,
            Timestamp = now,
            StartedUtc = now,
            Status = status,
            Kind = KindOf(invocation.Stage),
            Item = ItemOf(invocation.Stage, services.Redactor),
            Host = services.Host,
            WaybillVersion = RunServices.Version,
        };
    }

    /// <summary>The fan-out item of a stage run, as its manifest records it (the value redacted); null for a stage that runs once.</summary>
    internal static ItemRecord? ItemOf(StageDefinition stage, Secrets.Redactor redactor) => stage.Item is { } item
        ? new ItemRecord { Key = item.Key, Value = redactor.Redact(item.Value), Path = item.Path }
        : null;

    internal static string KindOf(StageDefinition stage) =>
        stage.Kind switch { StageKind.Command => "command", StageKind.Builtin => "builtin:" + stage.Uses, _ => "code" };

    private static int PreviousAttempt(string manifestPath) =>
        File.Exists(manifestPath) && ManifestJson.TryReadStage(manifestPath, out var previous) ? previous!.Attempt : 0;

    /// <summary>
    /// Declared inputs are tracked before the stage starts and must exist. An upstream output its producer does not
    /// claim (failed, skipped, cancelled) is absent: an optional input is left out, a required one skips the stage.
    /// </summary>
    private static void TrackDeclaredInputs(StageContext context, ProducerRecords producers)
    {
        foreach (var input in context.Definition.Inputs.Where(i => !i.Gather))
        {
            if (input.ExternalPath is { } external)
            {
                foreach (var reference in Placeholders.Find(external).Where(r => r.Scope == "config"))
                {
                    if (Placeholders.Lookup(context.Config, reference.Key) is not System.Text.Json.Nodes.JsonValue value || value.ToString().Length == 0)
                        throw new StageFailedException($"input '{input.Name}' is \"{external}\", but config '{reference.Key}' is not set; set it with --set {reference.Key}=<file>");
                }
            }
            var path = context.InputPath(input.Name);
            if (producers.Absence(input) is { } absence)
            {
                if (!input.Optional) throw new StageSkippedException($"input '{input.Name}' is not available: {absence}");
                context.MarkAbsent(input, context.Pipeline.Find(input.FromStage!)?.Id, absence);
                context.Logger.LogInformation("optional input {Input} is absent: {Reason}", input.Name, absence);
                continue;
            }
            if (!File.Exists(path))
            {
                var origin = input.FromStage is null ? "external file" : $"output '{input.FromOutput}' of {input.FromStage}";
                throw new StageFailedException($"input '{input.Name}' ({origin}) not found: {path}");
            }
            var record = context.TrackInput(path, input.Type ?? UpstreamType(context, input) ?? "file", input.Format, name: input.Name);
            if (input.FromStage is not null)
            {
                record.FromStage = context.Pipeline.Find(input.FromStage)!.Id;
                record.FromOutput = input.FromOutput;
            }
        }
    }

    private static string? UpstreamType(StageContext context, InputDeclaration input) =>
        input.FromStage is null ? null : context.Pipeline.Find(input.FromStage)?.Outputs.FirstOrDefault(o => o.Name == input.FromOutput)?.Type;

    /// <summary>
    /// Declared outputs the stage did not track are tracked now. One that is missing, a directory, or a link out of the
    /// job fails the stage; the reason names each.
    /// </summary>
    private static string? CheckDeclaredOutputs(StageContext context)
    {
        var missing = new List<string>();
        var wrong = new List<string>();
        foreach (var output in context.Definition.Outputs)
        {
            var path = Path.GetFullPath(Path.Combine(context.StageDir, output.Path));
            var shown = context.Layout.RelativeToJob(path);
            if (OutputLinks.Problem(context.Layout, context.StageDir, output.Path) is { } outside)
            {
                // Made by the stage itself (say, ln -s): refused now as it would be before the next attempt.
                wrong.Add($"declared output {output.Name} ({shown}) {outside}; outputs are files inside the job folder");
                context.AddError(wrong[^1]);
                continue;
            }
            if (!File.Exists(path))
            {
                if (Directory.Exists(path))
                {
                    wrong.Add($"declared output {output.Name} ({shown}) is a directory, not a file: outputs are files; "
                        + "declare each file in it as an output, or pack the folder (e.g. with tar) and declare the archive");
                    context.AddError(wrong[^1]);
                    continue;
                }
                missing.Add(output.Name);
                context.AddError($"declared output {output.Name} was not produced (expected {shown})");
                continue;
            }
            if (!context.IsTracked(context.Manifest.Outputs, path))
                context.TrackOutput(path, output.Type ?? "file", output.Format, name: output.Name);
            else
                context.Manifest.Outputs.First(r => context.FullPathOf(r) == path).Name ??= output.Name;
        }
        if (missing.Count > 0)
        {
            wrong.Insert(0, missing.Count == 1 ? $"declared output {missing[0]} was not produced"
                : $"declared outputs {string.Join(", ", missing)} were not produced");
        }
        return wrong.Count == 0 ? null : string.Join("; ", wrong);
    }

    /// <summary>Size, mtime and checksum of every tracked file. A tracked output that vanished fails the stage.</summary>
    private static string? StatFiles(StageContext context, ChecksumCache checksums, StageStatus status)
    {
        string? failure = null;
        var manifest = context.Manifest;
        foreach (var (list, isOutput) in new[] { (manifest.Inputs, false), (manifest.Outputs, true), (manifest.IntermediateFiles, false) })
        {
            foreach (var record in list)
            {
                var full = context.FullPathOf(record);
                var kind = Hashing.FileStamp.TryRead(full, out _);
                if (kind is Hashing.FileStampStatus.SymlinkLoop or Hashing.FileStampStatus.NotRegularFile or Hashing.FileStampStatus.AccessDenied)
                {
                    // A loop, a FIFO or a device has no content to hash; say what it is rather than "does not exist".
                    var problem = $"tracked file {record.Path}: {Hashing.FileStamp.Problem(kind, full).Message}";
                    if (isOutput && status == StageStatus.Success)
                    {
                        failure = problem;
                        context.AddError(problem);
                    }
                    else context.AddWarning(problem);
                    continue;
                }
                var info = new FileInfo(full);
                if (!info.Exists)
                {
                    if (isOutput && status == StageStatus.Success)
                    {
                        failure = $"tracked output {record.Path} does not exist";
                        context.AddError(failure);
                    }
                    else if (ReferenceEquals(list, manifest.Inputs)) context.AddWarning($"tracked input {record.Path} does not exist");
                    continue;
                }
                record.SizeBytes = info.Length;
                record.Mtime = new DateTimeOffset(info.LastWriteTimeUtc);
                try
                {
                    record.Checksum = checksums.Get(full, info.Length, info.LastWriteTimeUtc);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    context.AddWarning($"cannot hash {record.Path}: {e.Message}");
                }
            }
        }
        return failure;
    }

    /// <summary>
    /// Sampling of the stage's processes at its <c>sample_interval</c> (1 s by default); null when it is <c>off</c>. A stage
    /// that asked for GPUs has its devices read too.
    /// </summary>
    private static Resources.Sampling.SampleWatch? StartSampling(StageInvocation invocation, RunServices services, bool newFolder)
    {
        var controls = invocation.Stage.Controls;
        var interval = controls.SampleInterval ?? Resources.Sampling.ResourceSampling.DefaultInterval;
        if (interval == TimeSpan.Zero) return null;
        IReadOnlyList<string>? gpus = controls.Gpus > 0 ? invocation.Resources?.GpuDevices ?? [] : null;
        return services.Sampler.Start(invocation.Layout.StageDir(invocation.Stage.Id), interval, gpus, newFolder);
    }

    private static void Measure(StageManifest manifest, StageContext context, (TimeSpan User, TimeSpan System) cpuBefore, TimeSpan wall,
        Resources.Sampling.SampleSummary? sampled, Resources.FlowCpuMeter? flowCpu)
    {
        var resources = manifest.Resources;
        var processes = context.Processes;
        TimeSpan user, system;
        long peak;
        if (context.Definition.Kind == StageKind.Command)
        {
            user = processes.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.UserCpu);
            system = processes.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.SystemCpu);
            peak = processes.Count == 0 ? 0 : processes.Max(p => p.PeakRssBytes);
            resources.MeasuredBy = "process";
            if (processes.Count > 0 && processes.Where(p => p.PeakRssBytes == peak).All(p => p.PeakRssIsUpperBound))
                resources.PeakRssUpperBound = true;
        }
        else
        {
            var after = ProcessMeter.Read();
            user = after.User - cpuBefore.User + processes.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.UserCpu);
            system = after.System - cpuBefore.System + processes.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.SystemCpu);
            peak = Math.Max(after.PeakRssBytes, processes.Count == 0 ? 0 : processes.Max(p => p.PeakRssBytes));
            resources.MeasuredBy = processes.Count == 0 ? "in-process" : "in-process+children";
        }
        // The sampled sum of RSS over the tree stays in the samples: forked workers each count the copy-on-write pages they
        // share, so the sum overstates what the tree held, N times over for N workers, and peak_rss_mb is priced.
        long? read = processes.Count == 0 ? null : processes.Sum(p => p.ReadBytes);
        long? write = processes.Count == 0 ? null : processes.Sum(p => p.WriteBytes);
        if (sampled?.ReadBytes is { } sampledRead) read = Math.Max(read ?? 0, sampledRead);
        if (sampled?.WriteBytes is { } sampledWrite) write = Math.Max(write ?? 0, sampledWrite);
        if (context.Cgroup is { } cgroup)
            Resources.StageResources.FromCgroup(cgroup, ref user, ref system, ref peak, ref read, ref write, resources);
        resources.WallSeconds = Math.Round(wall.TotalSeconds, 4);
        resources.CpuUserSeconds = Math.Round(user.TotalSeconds, 4);
        resources.CpuSystemSeconds = Math.Round(system.TotalSeconds, 4);
        resources.CpuSeconds = Math.Round((user + system).TotalSeconds, 4);
        resources.CpuPercent = wall.TotalSeconds > 0 ? Math.Round((user + system).TotalSeconds / wall.TotalSeconds * 100, 1) : 0;
        resources.PeakRssMb = Math.Round(peak / (1024.0 * 1024.0), 2);
        resources.CodeCpuSeconds = flowCpu?.Total is { } code ? Math.Round(code.TotalSeconds, 4) : null;
        resources.ReadBytes = read;
        resources.WriteBytes = write;
        resources.Samples = sampled?.Samples;
        resources.Gpu = sampled?.Gpu;
        var leftovers = processes.Sum(p => p.LeftoverProcesses);
        resources.LeftoverProcesses = leftovers > 0 ? leftovers : null;
    }
}
