using Microsoft.Extensions.Logging;
using Waybill.Core.Caching;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>
/// The result cache around an executor: a stage that must run and whose fingerprint matches a cached result gets that
/// result, verified, instead of running; a stage that ran and succeeded offers its result to the cache. A cache that
/// cannot be read or written costs only the reuse: the run goes on as without one, and says so once.
/// </summary>
internal sealed class CachingExecutor(IStageExecutor inner, ResultCache cache, RunServices services, ILogger log, Func<string, bool> forced)
    : IStageExecutor
{
    private readonly TrustedVersionCommands _trusted = new();
    private int _storingOff;
    private int _readingOff;

    /// <param name="cacheFolder">The result cache; null: none, the executor is returned as it is.</param>
    /// <param name="forced">Stages the run was told to run (<c>--force</c>, <c>--from</c>): they run, and their result replaces the cached one.</param>
    public static IStageExecutor Around(IStageExecutor inner, string? cacheFolder, RunServices services, ILogger log, Func<string, bool> forced) =>
        cacheFolder is null ? inner : new CachingExecutor(inner, new ResultCache(cacheFolder, services.Time), services, log, forced);

    public async Task<StageOutcome> ExecuteAsync(StageInvocation invocation, CancellationToken cancellationToken)
    {
        var stage = invocation.Stage;
        // A stage that declares no outputs has nothing to restore: not even its key is worked out (0.7 ms of CPU a stage
        // run, measured on 2,000 no-op items).
        if (!stage.Controls.Cache || stage.Outputs.Count == 0) return await RunAsync(invocation, cancellationToken);
        ResultCacheKey? key;
        try
        {
            (key, var why) = await ResultCacheKey.ComputeAsync(invocation, services, cancellationToken);
            if (why is not null) log.LogDebug("Stage {Stage}: no result cache lookup: {Reason}", stage.Id, why);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The stage itself meets the same problem and reports it.
            log.LogDebug("Stage {Stage}: no result cache lookup: {Reason}", stage.Id, e.Message);
            key = null;
        }
        if (key is null) return await RunAsync(invocation, cancellationToken);

        var isForced = forced(stage.Id);
        var replace = isForced;
        if (!isForced)
        {
            var (restored, stale, refusal) = await RestoreAsync(invocation, key, cancellationToken);
            if (restored is not null) return restored;
            if (refusal is not null) invocation = invocation with { Reasons = [.. invocation.Reasons ?? [], refusal] };
            // The entry was made with other undeclared dependencies (a model file, a tool version): this run's result replaces it.
            replace = stale;
        }
        var outcome = await RunAsync(invocation, cancellationToken);
        if (outcome.Status == StageStatus.Success) Store(invocation, key, outcome.Manifest, replace);
        return outcome;
    }

    /// <summary>Runs the stage; the version commands its code registered may then be run again for a cache record.</summary>
    private async Task<StageOutcome> RunAsync(StageInvocation invocation, CancellationToken cancellationToken)
    {
        var outcome = await inner.ExecuteAsync(invocation, cancellationToken);
        _trusted.Learn(outcome.Manifest);
        return outcome;
    }

    /// <summary>
    /// The restored outcome; or null, saying whether an entry was there but out of date for this run (<c>Stale</c>), or
    /// the words for the stage's reasons when a cached entry was refused.
    /// </summary>
    private async Task<(StageOutcome? Restored, bool Stale, string? Refusal)> RestoreAsync(StageInvocation invocation, ResultCacheKey key,
        CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _readingOff) == 1) return (null, false, null);
        var stage = invocation.Stage;
        try
        {
            var entry = cache.Find(key.Fingerprint.Value, out var damaged);
            if (damaged is not null)
            {
                Refuse(stage, $"its record is damaged ({damaged})");
                cache.DiscardDamaged(key.Fingerprint.Value, $"record damaged: {damaged}");
                return (null, false, "a result cache entry with the same fingerprint was refused: its record is damaged");
            }
            if (entry is null) return (null, false, null);
            var result = await CacheRestore.TryRestoreAsync(invocation, services, entry, key, _trusted, cancellationToken);
            if (result.Refused is { } refused)
            {
                Refuse(stage, refused);
                cache.Discard(entry, $"refused by job {invocation.Layout.JobId} stage {stage.Id}: {refused}");
                return (null, false, $"the result cache entry of job {entry.Job} stage {entry.Stage} was refused: {refused}");
            }
            if (result.Outcome is null) return (null, result.Stale, null);
            // The stage's own INFO line (in stage.log, and so in the pipeline log) says where the outputs came from.
            cache.Touch(entry);
            return (result.Outcome, false, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (Interlocked.Exchange(ref _readingOff, 1) == 0)
                log.LogWarning("Result cache {Cache} cannot be read ({Reason}): this run restores nothing from it", cache.Root, e.Message);
            return (null, false, null);
        }
    }

    /// <summary>A refused entry is named in the stage's own log (and so in the pipeline log), which the run of the stage then continues.</summary>
    private void Refuse(Pipeline.StageDefinition stage, string why)
    {
        using var stageLog = services.OpenStageLog(stage.Id, stage.DisplayName);
        stageLog.Logger.LogWarning("Result cache entry for stage {Stage} refused and removed: {Reason}; the stage runs", stage.Id, why);
    }

    private void Store(StageInvocation invocation, ResultCacheKey key, StageManifest manifest, bool replace)
    {
        if (Volatile.Read(ref _storingOff) == 1) return;
        var (stage, layout) = (invocation.Stage, invocation.Layout);
        if (Extra(key, manifest) is not { } extra)
        {
            log.LogDebug("Stage {Stage} not stored in the result cache: a dependency it tracked itself cannot be checked again", stage.Id);
            return;
        }
        // A stage without outputs ran for what it did, not for what it left: there is nothing to restore.
        if (manifest.Outputs.Count == 0) return;
        var stageDir = layout.StageDir(stage.Id);
        var files = new List<PublishedFile>();
        foreach (var output in manifest.Outputs)
        {
            var full = layout.Resolve(output.Path);
            var relative = Path.GetRelativePath(stageDir, full);
            if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) || output.Checksum is null || output.SizeBytes is null)
            {
                log.LogDebug("Stage {Stage} not stored in the result cache: output {Path} is not a checked file in its folder", stage.Id, output.Path);
                return;
            }
            files.Add(new PublishedFile(full, new CachedFile(relative.Replace(Path.DirectorySeparatorChar, '/'), output.Path, output.SizeBytes.Value,
                output.Checksum)));
        }
        try
        {
            var result = cache.Publish(key.Fingerprint.Value, layout.JobId, stage.Id, invocation.RunId, layout.StageManifestPath(stage.Id), files, extra,
                replace);
            log.LogDebug("Stage {Stage} result cache: {Result}", stage.Id, result);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = IO.FileSystemErrors.IsDiskFull(e) ? IO.FileSystemErrors.NoSpaceOn(cache.Root) : e.Message;
            if (Interlocked.Exchange(ref _storingOff, 1) == 0)
                log.LogWarning("Result cache {Cache}: could not store the result of stage {Stage} ({Reason}); this run goes on without storing results",
                    cache.Root, stage.Id, why);
        }
    }

    /// <summary>
    /// What the run recorded beyond its key: inputs and tool versions the stage's code tracked itself. Null when one of
    /// them cannot be checked again (no checksum, no version command) or a declared one changed while the stage ran.
    /// </summary>
    private static ExtraDependencies? Extra(ResultCacheKey key, StageManifest manifest)
    {
        if (manifest.Fingerprint is not { } fingerprint) return null;
        var inputs = new List<ExtraInput>();
        // Sets, not scans: a gather over 100,000 items has as many inputs.
        var declaredInputs = key.Inputs.Select(k => (k.Name, k.Path, k.Checksum)).ToHashSet();
        var declaredNames = key.Inputs.Select(k => k.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var input in manifest.Inputs)
        {
            if (declaredInputs.Contains((input.Name, input.Path, input.Checksum))) continue;
            if (input.Checksum is null || (input.Name is not null && declaredNames.Contains(input.Name))) return null;
            inputs.Add(new ExtraInput(input.Name, input.Path, input.Checksum));
        }
        var tools = new List<ExtraTool>();
        foreach (var (tool, version) in manifest.ToolVersions)
        {
            if (key.ToolVersions.TryGetValue(tool, out var declared))
            {
                if (declared != version) return null;
                continue;
            }
            // A version without a command (a library the stage's code loads) cannot be asked again: a code or builtin stage's
            // code version, part of its definition, stands for it; a command stage has none, so such a result is not stored.
            if (!fingerprint.ToolCommands.TryGetValue(tool, out var command) && fingerprint.CodeVersion is null) return null;
            tools.Add(new ExtraTool(tool, command ?? "", version));
        }
        return new ExtraDependencies(inputs, tools);
    }
}
