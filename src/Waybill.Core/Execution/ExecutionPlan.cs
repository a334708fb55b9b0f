using Waybill.Core.Pipeline;

namespace Waybill.Core.Execution;

/// <summary>The stages in display order (by number; the runner starts each when its dependencies are done) with their resolved dependencies and dependents.</summary>
public sealed class ExecutionPlan
{
    public ExecutionPlan(PipelineDefinition pipeline)
    {
        Pipeline = pipeline;
        Order = [.. pipeline.Stages.OrderBy(s => s.Number).ThenBy(s => s.Id, StringComparer.Ordinal)];
        Dependencies = Order.ToDictionary(s => s.Id, s => s.DependsOn.Select(d => pipeline.Find(d)!.Id).Distinct().ToList(), StringComparer.Ordinal);
        Dependents = Order.ToDictionary(s => s.Id, s => Order.Where(o => Dependencies[o.Id].Contains(s.Id)).Select(o => o.Id).ToList(), StringComparer.Ordinal);
    }

    public PipelineDefinition Pipeline { get; }
    public IReadOnlyList<StageDefinition> Order { get; }
    public IReadOnlyDictionary<string, List<string>> Dependencies { get; }
    public IReadOnlyDictionary<string, List<string>> Dependents { get; }

    public int PositionOf(string stageId) => Order.ToList().FindIndex(s => s.Id == stageId) + 1;
}
