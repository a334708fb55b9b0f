using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>How a stage ended, and the manifest that records it.</summary>
public sealed record StageOutcome(string StageId, StageStatus Status, string? Reason, double DurationSeconds, StageManifest Manifest)
{
    /// <summary>The checksum of the manifest file as written, when this process wrote it: the job manifest records it without reading the file back.</summary>
    public string? ManifestChecksum { get; init; }

    /// <summary>Found up to date: the stage manifest on disk is the producing run's, untouched; <see cref="Manifest"/> is this run's view of it.</summary>
    public bool LeftUntouched { get; init; }
}
