using System.Text.Json;
using System.Text.Json.Serialization;

namespace Waybill.Core.Manifests;

/// <summary>One tracked file: an input, an output or an intermediate.</summary>
public sealed class FileRecord
{
    /// <summary>The name the stage declared for this file (e.g. "audio"); lists allow many files of one type.</summary>
    public string? Name { get; set; }
    public required string Type { get; set; }
    /// <summary>Relative to the job folder (forward slashes) when inside it, otherwise absolute.</summary>
    public required string Path { get; set; }
    /// <summary>"job" when the path is inside the job folder, "external" otherwise.</summary>
    public string Location { get; set; } = "job";
    public string? Format { get; set; }
    public long? SizeBytes { get; set; }
    public DateTimeOffset? Mtime { get; set; }
    public string? Checksum { get; set; }
    /// <summary>For an input produced upstream: the producing stage id ("01_demux") and its output name.</summary>
    public string? FromStage { get; set; }
    public string? FromOutput { get; set; }
    /// <summary>Intermediate files only: kept after the stage, and why.</summary>
    public bool? Retained { get; set; }
    public string? Reason { get; set; }
    /// <summary>Tombstone: when <c>waybill clean</c> deleted the file (checksum and size stay as they were), and why.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
    public string? DeletedReason { get; set; }
    /// <summary>
    /// Job manifest <c>logs</c> only, for the logs runs append to: each run's part sealed on its own (then
    /// <see cref="Checksum"/> is null and <see cref="SizeBytes"/> is where the last part ends). Null elsewhere.
    /// </summary>
    /// <remarks>Named <c>run_parts</c>, not <c>segments</c>, which stages use as a metadata key (a file record's metadata is
    /// written beside its fields).</remarks>
    [JsonPropertyName("run_parts")]
    public List<LogSegment>? Segments { get; set; }

    /// <summary>Free metadata given at track time (sample_rate, segment_count, …), written as top-level fields.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Metadata { get; set; }
}
