namespace Waybill.Core.Manifests;

/// <summary>
/// A stage whose outputs were restored from the result cache: the run that produced them (in another job, or an earlier
/// run of this one) and why they may stand in for a run of this stage.
/// </summary>
public sealed class ReusedFrom
{
    public required string Job { get; set; }
    public required string Stage { get; set; }
    public required string Run { get; set; }
    /// <summary>In words: "cache hit: same fingerprint as job ep01-v1 stage 06_asr".</summary>
    public required string Reason { get; set; }
    /// <summary>The fingerprint both runs share.</summary>
    public string? Fingerprint { get; set; }
    /// <summary>"hard link" when every file is a second name for the cached bytes, "copy" when one had to be copied (another file system).</summary>
    public string? Method { get; set; }
}
