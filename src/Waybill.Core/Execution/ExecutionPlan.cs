using Waybill.Core.Pipeline;

namespace Waybill.Core.Execution;

/// <summary>
/// The stages in display order (by number; the runner starts each when its dependencies are done) with their resolved
/// dependencies. Stage runs found while the run goes on (items of a fan-out) are appended with <see cref="Add"/>.
/// </summary>
public sealed class ExecutionPlan
{
    private readonly List<StageDefinition> _order;
    private readonly Dictionary<string, List<string>> _dependencies;
    private readonly Dictionary<string, int> _positions;
    private readonly Dictionary<string, StageDefinition> _byId;

    public ExecutionPlan(PipelineDefinition pipeline)
    {
        Pipeline = pipeline;
        _order = [.. pipeline.Stages.OrderBy(s => s.Number).ThenBy(s => s.Id, StringComparer.Ordinal)];
        _byId = _order.ToDictionary(s => s.Id, StringComparer.Ordinal);
        _dependencies = _order.ToDictionary(s => s.Id, s => s.DependsOn.Select(d => pipeline.Find(d)!.Id).Distinct().ToList(), StringComparer.Ordinal);
        _positions = _order.Select((s, i) => (s.Id, i + 1)).ToDictionary(p => p.Id, p => p.Item2, StringComparer.Ordinal);
    }

    public PipelineDefinition Pipeline { get; }
    public IReadOnlyList<StageDefinition> Order => _order;
    public IReadOnlyDictionary<string, List<string>> Dependencies => _dependencies;
    public IReadOnlyDictionary<string, StageDefinition> ById => _byId;

    /// <summary>1-based position in <see cref="Order"/>, as in "▶ Stage 6/12".</summary>
    public int PositionOf(string stageId) => _positions[stageId];

    /// <summary>A stage rewired in place (a gather that now reads every item of a dynamic fan-out); its dependencies stay.</summary>
    internal void Replace(StageDefinition stage)
    {
        var position = _positions[stage.Id];
        _order[position - 1] = stage;
        _byId[stage.Id] = stage;
    }

    /// <summary>
    /// Appends a stage run to the plan (after every stage already in it) with the ids of the stage runs it waits for.
    /// Called from the scheduler's loop only: the plan is not safe to change while another thread reads it.
    /// </summary>
    /// <exception cref="ArgumentException">The id is in the plan already, or a dependency is not.</exception>
    internal void Add(StageDefinition stage, IReadOnlyList<string> dependsOn)
    {
        if (_byId.ContainsKey(stage.Id)) throw new ArgumentException($"stage {stage.Id} is in the plan already", nameof(stage));
        if (dependsOn.FirstOrDefault(d => !_byId.ContainsKey(d)) is { } unknown)
            throw new ArgumentException($"stage {stage.Id} depends on {unknown}, which is not in the plan", nameof(dependsOn));
        _order.Add(stage);
        _byId[stage.Id] = stage;
        _dependencies[stage.Id] = [.. dependsOn.Distinct()];
        _positions[stage.Id] = _order.Count;
    }
}
