using Waybill.Core.Pipeline;

namespace Waybill.Core.Execution;

/// <summary>The stages in display order (by number; the runner starts each when its dependencies are done) with their resolved dependencies.</summary>
public sealed class ExecutionPlan
{
    public ExecutionPlan(PipelineDefinition pipeline)
    {
        Pipeline = pipeline;
        Order = [.. pipeline.Stages.OrderBy(s => s.Number).ThenBy(s => s.Id, StringComparer.Ordinal)];
        Dependencies = Order.ToDictionary(s => s.Id, s => s.DependsOn.Select(d => pipeline.Find(d)!.Id).Distinct().ToList(), StringComparer.Ordinal);
        _positions = Order.Select((s, i) => (s.Id, i + 1)).ToDictionary(p => p.Id, p => p.Item2, StringComparer.Ordinal);
        ById = Order.ToDictionary(s => s.Id, StringComparer.Ordinal);
    }

    public PipelineDefinition Pipeline { get; }
    public IReadOnlyList<StageDefinition> Order { get; }
    public IReadOnlyDictionary<string, List<string>> Dependencies { get; }
    public IReadOnlyDictionary<string, StageDefinition> ById { get; }

    private readonly Dictionary<string, int> _positions;

    /// <summary>1-based position in <see cref="Order"/>, as in "▶ Stage 6/12".</summary>
    public int PositionOf(string stageId) => _positions[stageId];
}
