namespace Waybill.Core.Manifests;

/// <summary>
/// One try of a stage with <c>retries</c>, in the manifest's <c>tries</c>. Not to be confused with the manifest's
/// <c>attempt</c>, which counts the runs of the stage in its job folder: one run may make several tries.
/// </summary>
public sealed class StageTry
{
    /// <summary>1 for the first try of this run of the stage, then 2, 3, …</summary>
    public int Try { get; set; }
    public required string Status { get; set; }
    /// <summary>Command stages: the command's exit code (128 + the signal when it was killed, a timeout included).</summary>
    public int? ExitCode { get; set; }
    /// <summary>Why the try did not succeed (its status reason), secrets masked.</summary>
    public string? Error { get; set; }
    public DateTimeOffset StartedUtc { get; set; }
    public double DurationSeconds { get; set; }
    /// <summary>The wait before this try (the backoff); absent on the first.</summary>
    public double? WaitBeforeSeconds { get; set; }
}
