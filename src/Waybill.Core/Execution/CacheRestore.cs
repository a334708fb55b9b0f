using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Waybill.Core.Caching;
using Waybill.Core.Hashing;
using Waybill.Core.IO;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>
/// Puts a cached result in a stage's folder instead of running the stage: each file is linked (or copied) under a
/// temporary name, hashed there and compared with the entry's record, and only when every file matches are they renamed
/// into place and the manifest written. A file that does not match refuses the whole entry: nothing of it is kept.
/// </summary>
internal static class CacheRestore
{
    /// <summary>How a restore ended: the outcome; or the entry is out of date here (<c>Stale</c>); or it is damaged (<c>Refused</c>, why).</summary>
    public sealed record Result(StageOutcome? Outcome, bool Stale, string? Refused);

    public static async Task<Result> TryRestoreAsync(StageInvocation invocation, RunServices services, ResultCacheEntry entry, ResultCacheKey key,
        TrustedVersionCommands trusted, CancellationToken cancellationToken)
    {
        var (stage, layout) = (invocation.Stage, invocation.Layout);
        var clock = Stopwatch.StartNew();
        var stageDir = layout.StageDir(stage.Id);
        StageManifest producer;
        try
        {
            producer = ManifestJson.ReadStage(entry.ManifestPath);
        }
        catch (Exception e) when (e is ManifestFormatException or IOException or UnauthorizedAccessException)
        {
            return new Result(null, false, $"its manifest cannot be read ({e.Message})");
        }
        var (inputs, tools) = (new List<FileRecord>(key.Inputs), new Dictionary<string, string>(key.ToolVersions, StringComparer.Ordinal));
        var fingerprint = await ExtraDependenciesAsync(invocation, services, entry, key, trusted, inputs, tools, cancellationToken);
        // What the stage's code depended on besides its declarations has changed here (another model file, a new ffmpeg).
        if (fingerprint is null || fingerprint.Value != producer.Fingerprint?.Value) return new Result(null, true, null);
        Directory.CreateDirectory(stageDir);
        var placed = new List<(CachedFile File, string Temp, string Target, string Checksum)>();
        var copied = false;
        try
        {
            foreach (var file in entry.Files)
            {
                var target = Path.GetFullPath(Path.Combine(stageDir, file.Path));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                var temp = Path.Combine(Path.GetDirectoryName(target)!,
                    $".{Path.GetFileName(target)}.restore.{Environment.ProcessId}.{Random.Shared.Next():x8}");
                var source = entry.FilePath(file);
                if (!File.Exists(source)) return new Result(null, false, $"its file {file.Path} is missing");
                copied |= HardLink.LinkOrCopy(source, temp) == PlacedBy.Copy;
                placed.Add((file, temp, target, ""));
                // The bytes now in the job are the ones checked: a file changed in the cache after this check is not restored.
                var algorithm = file.Checksum.StartsWith(ChecksumAlgorithm.Sha256.Prefix() + ":", StringComparison.Ordinal)
                    ? ChecksumAlgorithm.Sha256 : ChecksumAlgorithm.XxHash128;
                var actual = FileHasher.Compute(temp, algorithm);
                if (actual != file.Checksum)
                    return new Result(null, false, $"its file {file.Path} no longer matches its checksum (recorded {file.Checksum}, now {actual})");
                placed[^1] = (file, temp, target, actual);
            }
            foreach (var (_, temp, target, _) in placed) File.Move(temp, target, overwrite: true);
            placed.Clear();
        }
        finally
        {
            foreach (var (_, temp, _, _) in placed) File.Delete(temp);
        }
        var outcome = Record(invocation, services, entry, fingerprint, inputs, tools, producer, copied ? "copy" : "hard link", clock);
        return new Result(outcome, false, null);
    }

    /// <summary>
    /// The inputs and tool versions the stage's code tracked beyond its declarations, as they are now, added to
    /// <paramref name="inputs"/> and <paramref name="tools"/>; and the fingerprint a run would record with them. Null when
    /// one is gone, or when the record names a version command this run does not vouch for (none of it is run then).
    /// </summary>
    private static async Task<StageFingerprint?> ExtraDependenciesAsync(StageInvocation invocation, RunServices services, ResultCacheEntry entry,
        ResultCacheKey key, TrustedVersionCommands trusted, List<FileRecord> inputs, Dictionary<string, string> tools,
        CancellationToken cancellationToken)
    {
        var layout = invocation.Layout;
        // Whoever can write a shared cache folder could otherwise run a command in every job that looks this fingerprint up.
        if (entry.Extra.Tools.Any(t => t.Command.Length > 0 && !trusted.Allows(invocation.Stage, t.Command))) return null;
        foreach (var extra in entry.Extra.Inputs)
        {
            var full = layout.Resolve(extra.Path);
            if (FileStamp.TryRead(full, out var stamp) != FileStampStatus.RegularFile) return null;
            var relative = layout.RelativeToJob(full);
            inputs.Add(new FileRecord
            {
                Name = extra.Name, Type = "file", Path = relative ?? full, Location = relative is null ? "external" : "job", SizeBytes = stamp.Size,
                Mtime = new DateTimeOffset(stamp.MtimeUtc, TimeSpan.Zero), Checksum = services.Checksums.GetOrCompute(full),
            });
        }
        var commands = new Dictionary<string, string>(invocation.Stage.Tools, StringComparer.Ordinal);
        foreach (var extra in entry.Extra.Tools)
        {
            if (extra.Command.Length == 0)
            {
                // Recorded by the stage's code without a command (a library it loads): its code version vouches for it.
                tools[extra.Tool] = extra.Version;
                continue;
            }
            tools[extra.Tool] = services.Redactor.Redact(await services.Tools.GetAsync(extra.Command, cancellationToken));
            commands[extra.Tool] = extra.Command;
        }
        var probe = new StageManifest
        {
            Stage = "", StageId = "", JobId = "", RunId = "", Kind = "", Host = "", WaybillVersion = "", Inputs = inputs, ToolVersions = tools,
        };
        var declared = key.Fingerprint;
        return Caching.StageFingerprinter.Compute(invocation.Pipeline, declared.Definition, declared.CodeVersion, declared.Config, commands, probe);
    }

    private static StageOutcome Record(StageInvocation invocation, RunServices services, ResultCacheEntry entry, StageFingerprint fingerprint,
        List<FileRecord> inputs, Dictionary<string, string> tools, StageManifest producer, string method, Stopwatch clock)
    {
        var (pipeline, stage, layout) = (invocation.Pipeline, invocation.Stage, invocation.Layout);
        var stageDir = layout.StageDir(stage.Id);
        var manifestPath = layout.StageManifestPath(stage.Id);
        var reason = $"cache hit: same fingerprint as job {entry.Job} stage {entry.Stage}";
        var now = services.Time.GetUtcNow();
        var manifest = new StageManifest
        {
            Stage = stage.Name, StageId = stage.Id, StageNumber = stage.Number, JobId = layout.JobId, RunId = invocation.RunId,
            Attempt = (ManifestJson.TryReadStage(manifestPath, out var previous) ? previous!.Attempt : 0) + 1,
            Timestamp = now, StartedUtc = now, Status = StageStatus.Success.ToText(), StatusReason = reason,
            Kind = StageRunner.KindOf(stage), Item = StageRunner.ItemOf(stage, services.Redactor), Host = services.Host,
            WaybillVersion = RunServices.Version, ToolVersions = tools,
            Inputs = inputs,
            Config = Secrets.ConfigMask.MaskAll(pipeline.ConfigFor(stage), pipeline.SecretConfig, services.Redactor),
            Summary = producer.Summary?.DeepClone().AsObject(),
            Fingerprint = fingerprint,
            Reasons = [.. invocation.Reasons ?? [], reason],
            ReusedFrom = new ReusedFrom
            {
                Job = entry.Job, Stage = entry.Stage, Run = entry.Run, Reason = reason, Fingerprint = fingerprint.Value, Method = method,
            },
        };
        foreach (var file in entry.Files)
        {
            var full = Path.GetFullPath(Path.Combine(stageDir, file.Path));
            var info = new FileInfo(full);
            var was = producer.Outputs.FirstOrDefault(o => o.Path == file.JobPath);
            manifest.Outputs.Add(new FileRecord
            {
                Name = was?.Name, Type = was?.Type ?? "file", Format = was?.Format, Metadata = was?.Metadata,
                Path = layout.RelativeToJob(full) ?? full, SizeBytes = info.Length, Mtime = new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero),
                Checksum = file.Checksum,
            });
            // Hashed a moment ago: the next stage's key and the next run's check need not read it again.
            services.Checksums.Remember(full, info.Length, info.LastWriteTimeUtc, file.Checksum);
        }
        var log = services.OpenStageLog(stage.Id, stage.DisplayName);
        log.Logger.LogInformation("restored from the result cache ({Reason}, run {Run}): {Files} by {Method}; nothing ran",
            reason, entry.Run, Describe(entry), method);
        clock.Stop();
        manifest.FinishedUtc = services.Time.GetUtcNow();
        manifest.DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
        manifest.Resources = new ResourceUsage
        {
            MeasuredBy = "in-process", WallSeconds = Math.Round(clock.Elapsed.TotalSeconds, 4),
        };
        manifest.Cost = Costs.StagePricing.Price(pipeline.RateCard, manifest.Resources);
        StageRunner.CloseAndSeal(log, manifest, layout, services);
        var checksum = ManifestJson.Write(manifestPath, manifest, services.Checksums.Algorithm);
        return new StageOutcome(stage.Id, StageStatus.Success, reason, manifest.DurationSeconds, manifest) { ManifestChecksum = checksum };
    }

    /// <summary>"3 files, 1.2MiB": for log lines.</summary>
    public static string Describe(ResultCacheEntry entry) =>
        $"{entry.Files.Count.ToString(CultureInfo.InvariantCulture)} file{(entry.Files.Count == 1 ? "" : "s")}, "
        + Pipeline.Controls.Quantities.FormatSize(entry.SizeBytes);
}
