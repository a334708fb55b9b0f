namespace Waybill.Core.Manifests;

/// <summary>
/// The part of a log that runs append to (<c>logs/events.jsonl</c>, <c>logs/openlineage.jsonl</c>) that one run added,
/// sealed on its own: a run hashes only what it appended, so sealing costs a rerun the same however long the job's history.
/// </summary>
public sealed class LogSegment
{
    /// <summary>Where the part starts, in bytes from the start of the file.</summary>
    public long Offset { get; set; }
    public long SizeBytes { get; set; }
    public required string Checksum { get; set; }
    /// <summary>The run that sealed the part; null for a part sealed whole before logs were sealed by parts.</summary>
    public string? RunId { get; set; }
}
