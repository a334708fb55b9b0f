using Waybill.Core.Execution;
using Waybill.Core.Hashing;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;

namespace Waybill.Core.Caching;

/// <summary>
/// Decides whether a stage of an existing job must run again, by comparing what it depends on now with what its last
/// manifest recorded: definition, config, tool versions, input hashes, and whether its outputs are still as produced.
/// Files whose size and mtime are as recorded are trusted without reading them (as make and git do).
/// </summary>
public sealed class FreshnessCheck : IDisposable
{
    private const int MaxReasons = 6;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PreviousRun> _preloaded =
        new(StringComparer.Ordinal);
    private readonly PipelineDefinition _pipeline;
    private readonly Jobs.JobLayout _layout;
    private readonly RunServices _services;
    private readonly ManifestReadAhead<PreviousRun> _readAhead;
    private volatile bool _leaveConfig;
    private volatile UpToDateReason? _lastUpToDate;

    public FreshnessCheck(PipelineDefinition pipeline, Jobs.JobLayout layout, RunServices services)
    {
        (_pipeline, _layout, _services) = (pipeline, layout, services);
        _readAhead = new(Read);
    }

    /// <summary>
    /// What the run's finished stages recorded: an output its producer does not claim (it failed, say, and put the
    /// previous file back) counts as missing, as it is for the stage when it runs. Null: the files alone decide.
    /// </summary>
    internal ProducerRecords? Producers { get; init; }

    /// <param name="upstreamPending">A producer of this stage's inputs that has not finished yet (dry run): the inputs cannot be compared.</param>
    public async Task<StageDecision> DecideAsync(StageDefinition stage, string? forced, string? upstreamPending, CancellationToken cancellationToken)
    {
        var (previous, unreadable, checksum, folder) = _preloaded.TryRemove(stage.Id, out var read) ? read
            : _readAhead.TryTake(stage.Id, out var ahead) ? ahead
            : Read(stage.Id);
        // A manifest reached through a stage folder linked out of the job is not this job's record: the run refuses the stage.
        // A folder found missing or a folder proper when its manifest was read is no link: not looked at again.
        if (folder is not (IO.EntryKind.Missing or IO.EntryKind.Directory)
            && Jobs.JobFolderLinks.StageFolderProblem(_layout, stage.Id) is { } linked)
            return StageDecision.RunBecause(null, linked);
        if (unreadable is not null) return StageDecision.RunBecause(null, $"previous manifest unreadable ({unreadable.Message})");
        if (forced is not null) return StageDecision.RunBecause(previous, forced);
        if (previous is null) return StageDecision.RunBecause(null, "not run before in this job");
        if (Unfinished(previous) is { } unfinished) return StageDecision.RunBecause(previous, unfinished);
        var fingerprint = previous.Fingerprint!;

        var reasons = new List<string>();
        var codeVersion = StageFingerprinter.CodeVersionOf(stage);
        if (StageFingerprinter.DefinitionDigest(_pipeline, stage, _services.Redactor, codeVersion) != fingerprint.Definition)
            reasons.Add(fingerprint.CodeVersion is not null && codeVersion is not null && fingerprint.CodeVersion != codeVersion
                ? $"code changed: {fingerprint.CodeVersion} → {codeVersion}"
                : DefinitionChange(stage, previous));
        var config = StageFingerprinter.DeclaredConfig(_pipeline, stage, _services.Redactor);
        reasons.AddRange(ConfigDiff.Describe(fingerprint.Config, config));
        await CompareToolsAsync(previous, fingerprint, reasons, cancellationToken);
        if (upstreamPending is not null) reasons.Add($"{upstreamPending} runs first; its outputs may change");
        else CompareInputs(stage, previous, reasons);
        CompareOutputs(previous, reasons);

        if (reasons.Count == 0)
        {
            return new StageDecision(false, [UpToDateSince(previous.ProducedBy?.RunId ?? previous.RunId)], previous)
            {
                PreviousChecksum = checksum,
            };
        }
        if (reasons.Count > MaxReasons) reasons = [.. reasons.Take(MaxReasons - 1), $"and {reasons.Count - MaxReasons + 1} more changes"];
        return new StageDecision(true, reasons, previous);
    }

    /// <summary>
    /// Reads the stages' manifests ahead, on every core: parsing them is most of what a no-op rerun costs. Only the
    /// stage itself writes its manifest, after its decision, so a manifest read ahead is the one its decision needs.
    /// </summary>
    public void Preload(IEnumerable<string> stageIds) =>
        Parallel.ForEach(stageIds, id => _preloaded[id] = Read(id));

    /// <summary>
    /// Reads the manifests of stage runs added while the run goes on (a fan-out's items) on another thread, a bounded
    /// number ahead of their decisions, which come in about this order (<see cref="ManifestReadAhead{T}"/>).
    /// </summary>
    public void ReadAhead(IReadOnlyList<string> stageIds) => _readAhead.Add(stageIds);

    /// <summary>
    /// From now on the previous manifests are read without their <c>config</c>, which no decision reads: for a run too
    /// large to keep whole manifests (<see cref="Execution.KeptOutcome"/>), whose up-to-date stages then keep none either.
    /// A no-op rerun of 20,000 items of a pipeline with 30 config keys: 2.3-2.4 → 1.6 s, half the memory (docs/performance.md).
    /// </summary>
    internal void LeaveConfigOnDisk() => _leaveConfig = true;

    public void Dispose() => _readAhead.Dispose();

    // The checksum of the bytes read: an up-to-date stage's manifest is left as it is, and the job manifest seals it
    // with this, rather than reading and hashing the file a second time.
    private PreviousRun Read(string stageId)
    {
        // One lstat first: a stage that never ran in this job (every item of a new fan-out) has no folder, so no manifest to
        // try to open, and a folder that is no link needs no second look for the decision's check.
        var folder = FolderKind(_layout.StageDir(stageId));
        if (folder == IO.EntryKind.Missing) return new(null, null, null, folder);
        var path = _layout.StageManifestPath(stageId);
        // Read in four system calls where it can be; anything unusual (a folder in its place, no permission) is read as
        // before, so that the decision says what it always said.
        var read = IO.SmallFileRead.TryRead(path, ManifestLimits.MaxBytes, out var pooled, out var missing);
        using var bytes = pooled;
        if (missing || (!read && !File.Exists(path))) return new(null, null, null, folder);
        try
        {
            var manifest = read ? ManifestJson.ReadStage(path, bytes.Span, _services.Checksums.Algorithm, out var checksum, _leaveConfig)
                : ManifestJson.ReadStage(path, _services.Checksums.Algorithm, out checksum);
            return new(manifest, null, checksum, folder);
        }
        catch (ManifestFormatException e) when (e is not ManifestVersionException)
        {
            return new(null, e, null, folder);
        }
    }

    /// <summary>What the stage folder is; null when it cannot be looked at (the decision then looks again, and says why).</summary>
    private static IO.EntryKind? FolderKind(string folder)
    {
        try
        {
            return IO.PathEntry.KindOf(folder);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>A stage's last manifest as read for its decision, and what its folder was then.</summary>
    private readonly record struct PreviousRun(StageManifest? Manifest, ManifestFormatException? Unreadable, string? Checksum,
        IO.EntryKind? Folder);

    /// <summary>
    /// The reason of a stage found up to date: one string for all the stages the same run produced, which a large run keeps
    /// for each of them until it ends (a no-op rerun of 100,000 items made 100,000 copies of it).
    /// </summary>
    private string UpToDateSince(string producer)
    {
        if (_lastUpToDate is { } last && last.Producer == producer) return last.Reason;
        var reason = $"{StageDecision.UpToDate}: definition, config, tools and inputs unchanged since run {producer}";
        _lastUpToDate = new UpToDateReason(producer, reason);
        return reason;
    }

    private sealed record UpToDateReason(string Producer, string Reason);

    /// <summary>A last attempt that did not end in a result this run can keep.</summary>
    private static string? Unfinished(StageManifest previous) => previous.Status switch
    {
        "failed" => $"previous attempt failed ({previous.StatusReason ?? "no reason recorded"})",
        "cancelled" => "previous attempt was cancelled",
        "running" => "previous attempt was interrupted before it finished (the run was killed)",
        _ when previous.Fingerprint is null => $"previous attempt did not run ({previous.StatusReason ?? previous.Status})",
        _ => null,
    };

    private static string DefinitionChange(StageDefinition stage, StageManifest previous)
    {
        if (stage.Kind == StageKind.Command && previous.Kind == "command") return "command changed";
        var kind = StageRunner.KindOf(stage);
        return kind != previous.Kind ? $"stage kind changed: {previous.Kind} → {kind}" : "definition changed (inputs, outputs, env or tools declared in the pipeline file)";
    }

    private async Task CompareToolsAsync(StageManifest previous, StageFingerprint fingerprint, List<string> reasons, CancellationToken cancellationToken)
    {
        foreach (var (tool, command) in fingerprint.ToolCommands.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var now = await _services.Tools.GetAsync(command, cancellationToken);
            if (previous.ToolVersions.TryGetValue(tool, out var was) && was != now)
                reasons.Add($"tool {tool} {ToolVersionText.Change(was, now)}");
        }
    }

    private void CompareInputs(StageDefinition stage, StageManifest previous, List<string> reasons)
    {
        if (previous.Inputs.Count == 0 && stage.Inputs.Count == 0) return;
        var recorded = previous.Inputs.ToDictionary(i => i.Name ?? i.Path, StringComparer.Ordinal);
        foreach (var input in stage.Inputs.Where(i => !i.Gather)) // a gather left as such read no item: no file
        {
            var full = StageContext.ResolveInput(_pipeline, _layout, input);
            var shown = _layout.RelativeToJob(full) ?? full;
            recorded.TryGetValue(input.Name, out var was);
            recorded.Remove(input.Name);
            var absence = input.IsUpstream ? Producers?.Absence(input) : null;
            var stamp = default(FileStamp);
            var stampStatus = absence is null ? FileStamp.TryRead(full, out stamp) : FileStampStatus.Missing;
            if (stampStatus != FileStampStatus.RegularFile)
            {
                // An optional input whose producer skipped or failed was absent before too: nothing changed.
                if (was is null && input.Optional) continue;
                reasons.Add(absence is null ? $"input {shown} missing" : $"input {shown} absent: {absence}");
                continue;
            }
            if (was is null)
            {
                reasons.Add($"input {shown} is new");
                continue;
            }
            if (_layout.Resolve(was.Path) != full) reasons.Add($"input {input.Name} is now {shown} (was {was.Path})");
            else if (Changed(was, full, stamp) is { } how) reasons.Add($"input {shown} changed ({how})");
        }
        // Files the stage's code tracked as inputs itself (a model, a glossary): compared by path.
        foreach (var other in recorded.Values.Where(r => r.Name is null || stage.Inputs.All(i => i.Name != r.Name)))
        {
            var full = _layout.Resolve(other.Path);
            if (FileStamp.TryRead(full, out var stamp) != FileStampStatus.RegularFile) reasons.Add($"input {other.Path} missing");
            else if (Changed(other, full, stamp) is { } how) reasons.Add($"input {other.Path} changed ({how})");
        }
    }

    private void CompareOutputs(StageManifest previous, List<string> reasons)
    {
        foreach (var output in previous.Outputs)
        {
            if (output.DeletedAt is { } deleted)
            {
                reasons.Add($"output {output.Path} was deleted by clean on {deleted:yyyy-MM-dd HH:mm}Z");
                continue;
            }
            var full = _layout.Resolve(output.Path);
            var kind = FileStamp.TryRead(full, out var stamp);
            if (kind == FileStampStatus.Missing) reasons.Add($"output {output.Path} missing");
            else if (kind != FileStampStatus.RegularFile) reasons.Add($"output {output.Path} is no longer a regular file ({FileStamp.Problem(kind, full).Message})");
            else if (Changed(output, full, stamp) is { } how) reasons.Add($"output {output.Path} changed since it was produced ({how})");
        }
    }

    /// <summary>Null when the file is as recorded; otherwise what differs. Size and mtime equal to the record are trusted.</summary>
    private string? Changed(FileRecord record, string full, FileStamp stamp)
    {
        if (record.SizeBytes == stamp.Size && record.Mtime is { } recorded && recorded.UtcDateTime == stamp.MtimeUtc) return null;
        if (record.Checksum is null) return "no checksum recorded";
        string now;
        try
        {
            now = _services.Checksums.GetOrCompute(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot read it: {e.Message}";
        }
        if (now == record.Checksum) return null;
        return record.SizeBytes != stamp.Size ? $"size {record.SizeBytes} → {stamp.Size} bytes" : "hash";
    }
}
