using Waybill.Core.Execution.Resources;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>What the <see cref="StageScheduler"/> asks of the runner: it decides when, the runner does and records.</summary>
internal interface IStageWork
{
    /// <summary>Starts a stage with the resources granted to it; the task ends with its outcome and must not throw.</summary>
    Task<StageOutcome> Start(string stageId, ResourceGrant grant);

    /// <summary>Records a stage that will not run (skipped or cancelled) and returns its outcome.</summary>
    StageOutcome NotRun(string stageId, StageStatus status, string reason);

    /// <summary>For a failed stage: the full disk that failed it (no more stages start), or null.</summary>
    string? NoSpace(StageOutcome failed);

    /// <summary>A stage has its outcome (ran or not); <paramref name="forgiven"/>: the failure of an optional stage.</summary>
    void Finished(StageOutcome outcome, bool forgiven);
}
