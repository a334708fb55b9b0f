using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Core.Jobs;
using Waybill.Core.Pipeline;
using Waybill.Core.Secrets;
using YamlDotNet.RepresentationModel;

namespace Waybill.Core.Execution;

/// <summary>
/// Reads a job's pipeline back from its snapshot (<c>.waybill/pipeline.yaml</c> and <c>run.json</c>) for <c>resume</c>
/// and <c>exec-stage</c>, with every secret the first run was given filled in again: from the pipeline file when it is
/// still there and unchanged (secrets aside), else from <c>--set</c> or the environment. A secret nobody gives stops
/// the command, with every missing one named; a mask is never run as a value.
/// </summary>
public static class SnapshotLoader
{
    public static LoadedSnapshot Load(JobLayout layout, Stages.BuiltinStages? builtins, SecretSupply supply)
    {
        var yamlPath = layout.SnapshotPath;
        var runPath = layout.SnapshotRunPath;
        if (!File.Exists(yamlPath))
        {
            throw new PipelineInvalidException(new PipelineError($"job {layout.JobId} has no pipeline snapshot in {layout.StateDir}",
                Hint: "only jobs run from a pipeline file can run a single stage; run the pipeline first with 'waybill run'"));
        }
        if (!File.Exists(runPath))
        {
            // run.json is written last (JobRecords.WriteSnapshot): its run was killed while it wrote the snapshot, before any stage ran.
            throw new PipelineInvalidException(new PipelineError(
                $"the pipeline snapshot of job {layout.JobId} is incomplete ({runPath} is missing): its last run was stopped while writing it",
                Hint: $"run the pipeline file again with 'waybill run <pipeline> --job-id {layout.JobId}'; outputs still up to date are kept"));
        }
        ThrowIfSnapshotChanged(layout);
        var info = ReadRunInfo(runPath);
        // The snapshot is the pipeline file as run: the pipeline file's own size limit holds for it.
        var text = Pipeline.Limits.BoundedText.Read(yamlPath, Pipeline.Limits.PipelineLimits.FromEnvironment(), CancellationToken.None);
        var sourcePath = Field(runPath, "source_path", () => info["source_path"]?.GetValue<string>());
        var baseDirectory = Field(runPath, "base_directory", () => info["base_directory"]?.GetValue<string>());
        var root = SnapshotMasker.TryLoad(text);
        // The loader reports what is wrong with the snapshot, at its own line and column.
        if (root is null)
        {
            var parsed = PipelineFileLoader.ParseSnapshot(text, yamlPath, sourcePath ?? yamlPath, null, builtins, baseDirectory);
            return new LoadedSnapshot(parsed, [], []);
        }

        var overrides = Field(runPath, "overrides", () => Strings(info["overrides"]));
        var recorded = info["secrets"] is JsonArray list
            ? Field(runPath, "secrets", () => list.Select(RecordedSecret.FromJson).OfType<RecordedSecret>().ToList())
            : Legacy(text, yamlPath, overrides);
        var slots = SnapshotMasker.Find(root);
        var ask = new SecretRequest(supply, sourcePath is null ? "the pipeline file" : Path.GetFileName(sourcePath), yamlPath);
        var given = ask.ReadSet([
            .. slots.Where(s => s.Kind == SecretSlotKind.Config).Select(s => s.Name),
            .. recorded.Where(r => r.Kind == SecretSlotKind.Config).Select(r => r.Name),
        ]);

        var secrets = new List<string>();
        var fill = new List<string>();
        string yaml = text, display = yamlPath;
        var asked = new HashSet<string>(StringComparer.Ordinal);
        if (slots.Count > 0 && Unchanged(sourcePath, text, slots) is { } original)
        {
            (yaml, display) = (original, sourcePath!);
            secrets.AddRange(SnapshotMasker.Unmasked(original, slots));
        }
        else if (slots.Count > 0)
        {
            var values = slots.ToDictionary(s => s, s => ask.FileValue(s, given));
            fill.AddRange(slots.Where(s => s.Kind == SecretSlotKind.Config && values[s] is not null).Select(s => s.Name + "=" + values[s]));
            asked.UnionWith(slots.Where(s => s.Kind == SecretSlotKind.Config).Select(s => s.Name));
            secrets.AddRange(values.Values.OfType<string>());
            if (!ask.Failed)
                yaml = SnapshotMasker.Fill(text, root, slots, s => s.Kind == SecretSlotKind.Env ? SnapshotMasker.Quote(values[s]!) : "~") ?? text;
        }
        foreach (var secret in recorded.Where(r => r.Origin != SecretOrigin.PipelineFile && !asked.Contains(r.Name)))
            if (ask.RecordedValue(secret, given) is { } value)
            {
                secrets.Add(value);
                if (secret.Kind == SecretSlotKind.Config) fill.Add(secret.Name + "=" + value);
            }
        ask.ThrowIfMissing();
        List<string> applied = [.. overrides, .. fill.DistinctBy(JobRecords.OverrideKey)];
        var pipeline = PipelineFileLoader.ParseSnapshot(yaml, display, sourcePath ?? yamlPath, applied, builtins, baseDirectory);
        return new LoadedSnapshot(pipeline, applied, secrets);
    }

    /// <summary>
    /// The snapshot is what the job ran: one edited since (a changed command, say) would run something no record
    /// describes, so it is refused, file by file, against the seals the job manifest keeps.
    /// </summary>
    private static void ThrowIfSnapshotChanged(JobLayout layout)
    {
        var job = File.Exists(layout.JobManifestPath) ? JobRecords.TryReadJob(layout) : null;
        if (job is null)
        {
            // No job manifest seals the snapshot (a first run killed before it wrote one): run.json's checksum vouches for it.
            if (InterruptedRun.SnapshotIsWhole(layout) == false) throw Edited(layout, "it is not what its run.json recorded");
            return;
        }
        // The seals below live in the job manifest: an edited manifest could carry seals that match an edited snapshot.
        if (JobManifestSeal.Changed(layout) is { } edited)
            throw new PipelineInvalidException(new PipelineError(
                $"manifest.json of job {layout.JobId} was changed after the run wrote it ({edited}): the snapshot seals it holds cannot be trusted",
                Hint: $"run 'waybill verify {layout.JobId}' to see what changed, then run the pipeline again with --job-id {layout.JobId}"));
        // A run killed after its whole snapshot and before its job manifest: the seals there are of the run before, and the
        // snapshot is checked against its own run.json instead (InterruptedRun).
        if (InterruptedRun.Find(layout, job) is { SnapshotIsItsOwn: true }) return;
        var errors = new List<PipelineError>();
        foreach (var seal in job.JobFiles.Where(f => f.Path.StartsWith(".waybill/", StringComparison.Ordinal)))
        {
            if (JobFiles.Difference(layout, seal) is not { } now) continue;
            var full = layout.Resolve(seal.Path);
            var what = now == "missing" ? "is missing"
                : $"was changed after the run wrote it (its checksum is {now}, the job manifest recorded {seal.Checksum})";
            errors.Add(Edited(layout, full, what));
        }
        if (errors.Count > 0) throw new PipelineInvalidException(errors);
    }

    private static PipelineInvalidException Edited(JobLayout layout, string why) =>
        new(Edited(layout, layout.SnapshotPath, $"was changed after the run wrote it ({why})"));

    private static PipelineError Edited(JobLayout layout, string file, string what) =>
        new($"the pipeline snapshot {file} {what}; resume and exec-stage run only what the job ran",
            Hint: $"restore the file, or run the pipeline file again with 'waybill run <pipeline> --job-id {layout.JobId}' "
                + "(which writes a new snapshot)");

    /// <summary><c>.waybill/run.json</c>, or a clear error when it was damaged or replaced (too large, too deep, not an object).</summary>
    private static JsonObject ReadRunInfo(string path)
    {
        try
        {
            if (!IO.BoundedFileRead.TryReadAllBytes(path, JobRecords.RunInfoMaxBytes, out var bytes))
                throw Damaged(path, $"it is larger than {JobRecords.RunInfoMaxBytes >> 20} MiB");
            return JsonNode.Parse(IO.BoundedFileRead.Json(bytes), documentOptions: JobRecords.StrictJson) as JsonObject
                ?? throw Damaged(path, "it is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Damaged(path, e.Message);
        }
    }

    /// <summary>A field of run.json read as its type, or a clear error when it holds something else.</summary>
    private static T Field<T>(string path, string name, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw Damaged(path, $"its '{name}' does not hold what the engine wrote there");
        }
    }

    private static PipelineInvalidException Damaged(string path, string why) =>
        new(new PipelineError($"the job's run record {path} cannot be read: {why}",
            Hint: "it was damaged or edited by hand; run the pipeline again with 'waybill run'"));

    /// <summary>
    /// A snapshot written before secrets were recorded by name masked them as <c>***</c> in place: such a value cannot be
    /// told from text, so a snapshot holding one is refused; <c>--set</c> items recorded as <c>key=***</c> are asked for.
    /// </summary>
    private static List<RecordedSecret> Legacy(string text, string yamlPath, List<string> overrides)
    {
        if (text.Contains(Redactor.Mask, StringComparison.Ordinal))
        {
            throw new PipelineInvalidException(new PipelineError(
                $"the pipeline snapshot {yamlPath} was written by an older Waybill that masked secrets as *** in place; they cannot be given back",
                Hint: "run the pipeline again: waybill run <pipeline file> --job-id <id>"));
        }
        var masked = overrides.Where(o => o.Contains(Redactor.Mask, StringComparison.Ordinal)).ToList();
        overrides.RemoveAll(masked.Contains);
        return [.. masked.Select(o => new RecordedSecret(JobRecords.OverrideKey(o), SecretSlotKind.Config, SecretOrigin.SetOption))];
    }

    /// <summary>The pipeline file's text, when it masks exactly to the snapshot: the file the job ran, secrets included.</summary>
    private static string? Unchanged(string? sourcePath, string snapshot, IReadOnlyList<SecretSlot> slots)
    {
        if (sourcePath is null || !File.Exists(sourcePath)) return null;
        try
        {
            // A file over the pipeline file limit cannot be the one the snapshot was written from.
            var limit = (int)Math.Min(Pipeline.Limits.PipelineLimits.FromEnvironment().MaxBytes, Array.MaxLength - 1);
            if (!IO.BoundedFileRead.TryReadAllBytes(sourcePath, limit, out var bytes)) return null;
            var original = IO.BoundedFileRead.Decode(bytes);
            return SnapshotMasker.MaskLike(original, slots) == snapshot ? original : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(n => n?.GetValue<string>()).OfType<string>()] : [];
}
