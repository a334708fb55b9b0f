using Waybill.Core.Jobs;
using Waybill.Core.Pipeline;

namespace Waybill.Core.Execution;

/// <summary>Everything needed to run one stage of one run, wherever it runs.</summary>
/// <param name="Reasons">Why the stage runs (see <c>--explain</c>); recorded in its manifest.</param>
public sealed record StageInvocation(PipelineDefinition Pipeline, StageDefinition Stage, JobLayout Layout, string RunId, int Position, int Total,
    IReadOnlyList<string>? Reasons = null)
{
    /// <summary>The records of the stages the run finished, to tell which upstream outputs are absent; null: read from their manifests.</summary>
    internal ProducerRecords? Producers { get; init; }
    /// <summary>What the run's scheduler gave the stage; null where none counted it (<c>exec-stage</c>): then its own requests.</summary>
    public Resources.ResourceGrant? Resources { get; init; }
}
