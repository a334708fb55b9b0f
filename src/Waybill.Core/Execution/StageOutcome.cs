using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>How a stage ended, and the manifest that records it.</summary>
public sealed record StageOutcome(string StageId, StageStatus Status, string? Reason, double DurationSeconds, StageManifest Manifest);
