using Waybill.Core.Execution.Resources;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>What the <see cref="StageScheduler"/> asks of the runner: it decides when, the runner does and records.</summary>
/// <param name="Added">New stage runs (the items), each to be scheduled after the runs it depends on.</param>
/// <param name="Rewired">Stages that gather the fan-out, now reading every item: they replace their plan entries.</param>
/// <param name="Templates">The outcomes of the fan-out stage and its followers: expanded (success, or up to date where a rerun found their
/// records as they were, <c>LeftUntouched</c>) or failed.</param>
internal sealed record FanOutExpansion(IReadOnlyList<Pipeline.StageDefinition> Added, IReadOnlyList<Pipeline.StageDefinition> Rewired,
    IReadOnlyList<StageOutcome> Templates);

internal interface IStageWork
{
    /// <summary>Starts a stage with the resources granted to it; the task ends with its outcome and must not throw.</summary>
    Task<StageOutcome> Start(string stageId, ResourceGrant grant);

    /// <summary>Records a stage that will not run (skipped or cancelled) and returns its outcome.</summary>
    StageOutcome NotRun(string stageId, StageStatus status, string reason);

    /// <summary>
    /// A dynamic fan-out whose upstream has finished: reads its items, grows the pipeline with their stage runs, and
    /// records the fan-out stage (and the stages that follow it per item) as expanded, or failed when no items could be read.
    /// </summary>
    FanOutExpansion Expand(string templateId);

    /// <summary>A stage run the scheduler added to the plan (the job manifest lists it).</summary>
    void Added(string stageId);

    /// <summary>For a failed stage: the full disk that failed it (no more stages start), or null.</summary>
    string? NoSpace(StageOutcome failed);

    /// <summary>A stage has its outcome (ran or not); <paramref name="forgiven"/>: the failure of an optional stage.</summary>
    void Finished(StageOutcome outcome, bool forgiven);
}
