namespace Waybill.Core.Stages;

/// <summary>Stages usable by name from a pipeline file (<c>uses: copy</c>). Hosts may add their own.</summary>
public sealed class BuiltinStages
{
    private readonly Dictionary<string, Func<IStage>> _stages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<StageConfigCheck>> _checks = new(StringComparer.Ordinal);

    /// <summary>A new registry with the stages that ship with Waybill; a host adds its own to its copy, never to a shared one.</summary>
    public static BuiltinStages Default => new BuiltinStages()
        .Add("copy", () => new CopyStage())
        .Add("concat", () => new ConcatStage());

    public BuiltinStages Add(string name, Func<IStage> factory)
    {
        _stages[name] = factory;
        return this;
    }

    /// <summary>Adds a check of the named built-in's config, run when a pipeline is loaded; a built-in may have several.</summary>
    public BuiltinStages AddCheck(string name, StageConfigCheck check)
    {
        if (!_checks.TryGetValue(name, out var list)) _checks[name] = list = [];
        list.Add(check);
        return this;
    }

    public Func<IStage>? Find(string name) => _stages.GetValueOrDefault(name);

    /// <summary>The config checks of the named built-in, in the order they were added; none for most.</summary>
    public IReadOnlyList<StageConfigCheck> ChecksFor(string name) => _checks.TryGetValue(name, out var list) ? list : [];

    public IEnumerable<string> Names => _stages.Keys.Order(StringComparer.Ordinal);
}
