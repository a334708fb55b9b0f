using Waybill.Core.Execution;
using Waybill.Core.Hashing;
using Waybill.Core.Manifests;

namespace Waybill.Core.Caching;

/// <summary>
/// A stage's fingerprint worked out before it runs, from what it declares: definition, config, the versions of its
/// declared tools and the checksums of its declared inputs, recorded as a run records them. It equals the fingerprint
/// the run would record unless the stage's own code tracks more (a model file, the version of a tool it calls): those
/// extra dependencies are kept in the cache entry and checked again before it is restored.
/// </summary>
/// <param name="Fingerprint">What the run would record as its fingerprint.</param>
/// <param name="Inputs">The declared inputs with their checksums, as the run's manifest would list them.</param>
/// <param name="ToolVersions">The declared tools' versions, as the run would record them.</param>
internal sealed record ResultCacheKey(StageFingerprint Fingerprint, List<FileRecord> Inputs, Dictionary<string, string> ToolVersions)
{
    /// <summary>The key, or null with the reason when it cannot be known before the stage runs (an input is missing or absent).</summary>
    public static async Task<(ResultCacheKey? Key, string? Why)> ComputeAsync(StageInvocation invocation, RunServices services,
        CancellationToken cancellationToken)
    {
        var (pipeline, stage, layout) = (invocation.Pipeline, invocation.Stage, invocation.Layout);
        var probe = new StageManifest
        {
            Stage = stage.Name, StageId = stage.Id, JobId = layout.JobId, RunId = invocation.RunId, Kind = "", Host = "", WaybillVersion = "",
        };
        foreach (var (tool, command) in stage.Tools)
            probe.ToolVersions[tool] = services.Redactor.Redact(await services.Tools.GetAsync(command, cancellationToken));
        // A gather left as such (over an empty fan-out, allow_empty) read no item: no file, as in FreshnessCheck.
        foreach (var input in stage.Inputs.Where(i => !i.Gather))
        {
            if (input.IsUpstream && invocation.Producers?.Absence(input) is { } absence)
            {
                // An optional input whose producer did not deliver is left out of the run's record, and so of its fingerprint.
                if (input.Optional) continue;
                return (null, $"input {input.Name} is absent ({absence})");
            }
            var full = StageContext.ResolveInput(pipeline, layout, input);
            if (FileStamp.TryRead(full, out var stamp) != FileStampStatus.RegularFile) return (null, $"input {input.Name} is not a readable file");
            var relative = layout.RelativeToJob(full);
            var producer = input.FromStage is null ? null : pipeline.Find(input.FromStage);
            probe.Inputs.Add(new FileRecord
            {
                Name = input.Name,
                Type = input.Type ?? producer?.Outputs.FirstOrDefault(o => o.Name == input.FromOutput)?.Type ?? "file",
                Format = input.Format,
                Path = relative ?? full,
                Location = relative is null ? "external" : "job",
                SizeBytes = stamp.Size,
                Mtime = new DateTimeOffset(stamp.MtimeUtc, TimeSpan.Zero),
                Checksum = services.Checksums.GetOrCompute(full),
                FromStage = producer?.Id,
                FromOutput = input.FromOutput,
            });
        }
        var codeVersion = StageFingerprinter.CodeVersionOf(stage);
        var definition = StageFingerprinter.DefinitionDigest(pipeline, stage, services.Redactor, codeVersion);
        var config = StageFingerprinter.DeclaredConfig(pipeline, stage, services.Redactor);
        var fingerprint = StageFingerprinter.Compute(pipeline, definition, codeVersion, config, stage.Tools, probe);
        return (new ResultCacheKey(fingerprint, probe.Inputs, probe.ToolVersions), null);
    }
}
