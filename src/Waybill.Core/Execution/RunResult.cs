using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

public sealed record RunResult(string JobId, string JobDir, StageStatus Status, IReadOnlyList<StageOutcome> Stages, string PipelineLog, double DurationSeconds)
{
    public int Count(StageStatus status) => Stages.Count(s => s.Status == status);
}
