namespace Waybill.Core.Integrity;

public enum FindingSeverity
{
    /// <summary>The job's record does not hold: a file, manifest or log differs from what the run recorded.</summary>
    Error,
    /// <summary>The job is sound but something around it moved: an external input changed, a failed stage's file differs.</summary>
    Warning,
    /// <summary>Worth knowing, not a problem: a file deleted by <c>waybill clean</c>, a seal an older Waybill did not write.</summary>
    Info,
}

/// <summary>
/// One thing <c>waybill verify</c> found. <paramref name="Kind"/> is a stable snake_case word for scripts
/// (<c>checksum_mismatch</c>, <c>lineage_inconsistent</c>, …); <paramref name="Message"/> says it in words.
/// </summary>
public sealed record Finding(FindingSeverity Severity, string Kind, string Message)
{
    /// <summary>The stage id the finding belongs to; null for the job itself.</summary>
    public string? Stage { get; init; }
    /// <summary>The file concerned, relative to the job folder when inside it.</summary>
    public string? Path { get; init; }
    /// <summary>The manifest field concerned (<c>outputs[0].checksum</c>, a JSON pointer for schema errors).</summary>
    public string? Field { get; init; }
    public string? Expected { get; init; }
    public string? Actual { get; init; }
    /// <summary>What to do about it.</summary>
    public string? Hint { get; init; }
}
