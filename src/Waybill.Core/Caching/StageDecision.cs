using Waybill.Core.Manifests;

namespace Waybill.Core.Caching;

/// <summary>Whether a stage runs, and why, in words a person reads in <c>--explain</c>, the logs and the manifest.</summary>
public sealed record StageDecision(bool Run, IReadOnlyList<string> Reasons, StageManifest? Previous)
{
    public const string UpToDate = "up to date";

    /// <summary>The checksum of the previous manifest's bytes as read for this decision (null when none was read).</summary>
    public string? PreviousChecksum { get; init; }

    public static StageDecision RunBecause(StageManifest? previous, params string[] reasons) => new(true, reasons, previous);

    public string Summary => string.Join("; ", Reasons);
}
