using System.Text.Json.Nodes;

namespace Waybill.Core.Manifests;

/// <summary>
/// The record of one stage run: <c>NN_name/manifest.json</c>. Field names follow the seeds' StageIO manifest. Its collections
/// are never null, but each is made when first read, not with the record: a manifest read from a file gets the file's, and
/// the empty ones made first were most of what a read allocated besides them (840 of 4,400 bytes).
/// </summary>
public sealed class StageManifest
{
    public const string CurrentSchemaVersion = "1.1";

    public string SchemaVersion { get; set; } = CurrentSchemaVersion;
    public required string Stage { get; set; }
    public required string StageId { get; set; }
    public int StageNumber { get; set; }
    public required string JobId { get; set; }
    public required string RunId { get; set; }
    /// <summary>A stage run of a fan-out: the item it ran for; null for a stage that runs once.</summary>
    public ItemRecord? Item { get; set; }
    public int Attempt { get; set; } = 1;
    public DateTimeOffset Timestamp { get; set; }
    public DateTimeOffset StartedUtc { get; set; }
    public DateTimeOffset? FinishedUtc { get; set; }
    public double DurationSeconds { get; set; }
    public string Status { get; set; } = "running";
    public string? StatusReason { get; set; }
    public required string Kind { get; set; }
    public string? Command { get; set; }
    public int? ExitCode { get; set; }
    public required string Host { get; set; }
    public required string WaybillVersion { get; set; }
    public Dictionary<string, string> ToolVersions { get => Made(ref field); set; }
    public List<FileRecord> Inputs { get => Made(ref field); set; }
    /// <summary>Optional inputs the stage ran without (their producer failed, was skipped or cancelled); null when none.</summary>
    public List<AbsentInput>? AbsentInputs { get; set; }
    public List<FileRecord> Outputs { get => Made(ref field); set; }
    public List<FileRecord> IntermediateFiles { get => Made(ref field); set; }
    public JsonObject Config { get => field ?? Interlocked.CompareExchange(ref field, [], null) ?? field; set; }
    public ResourceUsage Resources { get => Made(ref field); set; }
    /// <summary>What the stage run cost under the run's rate card; absent when the run has no rate card.</summary>
    public StageCost? Cost { get; set; }
    public List<ProblemRecord> Errors { get => Made(ref field); set; }
    public List<ProblemRecord> Warnings { get => Made(ref field); set; }
    /// <summary>Figures the stage gave when it finalized (e.g. output_size_mb).</summary>
    public JsonObject? Summary { get; set; }
    /// <summary>What the stage's result depends on (definition, config, tool versions, input hashes); equal fingerprints mean up to date.</summary>
    public StageFingerprint? Fingerprint { get; set; }
    /// <summary>Stages with <c>retries</c>: every try of this run, the last one being the one the status describes.</summary>
    public List<StageTry>? Tries { get; set; }
    /// <summary>Why this run ran the stage, or why it was up to date, in words (see <c>waybill run --explain</c>).</summary>
    public List<string>? Reasons { get; set; }
    /// <summary>Skipped as up to date: the run whose work this manifest still describes.</summary>
    public ProducedBy? ProducedBy { get; set; }
    /// <summary>Outputs restored from the result cache instead of running: where they came from, and why.</summary>
    public ReusedFrom? ReusedFrom { get; set; }
    /// <summary>The stage.log as it was when this manifest was written (size and checksum), so a changed log line is caught.</summary>
    public FileRecord? Log { get; set; }

    // Made once even when two threads ask first at the same time (a stage's warning added under a lock while another
    // thread reads the list): both get the one that was stored.
    private static T Made<T>(ref T? field) where T : class, new() => field ?? Interlocked.CompareExchange(ref field, new T(), null) ?? field;
}
