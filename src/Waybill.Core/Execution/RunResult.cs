using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

public sealed record RunResult(string JobId, string JobDir, StageStatus Status, IReadOnlyList<StageOutcome> Stages, string PipelineLog, double DurationSeconds)
{
    /// <summary>What the job went on after: "optional stage X failed: reason", one per failed optional stage.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>What this run's stage runs cost (the job manifest's <c>cost</c>); null when the run has no rate card.</summary>
    public StageCost? Cost { get; init; }

    public int Count(StageStatus status) => Stages.Count(s => s.Status == status);
}
