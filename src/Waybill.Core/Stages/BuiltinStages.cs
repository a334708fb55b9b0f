namespace Waybill.Core.Stages;

/// <summary>Stages usable by name from a pipeline file (<c>uses: copy</c>). Hosts may add their own.</summary>
public sealed class BuiltinStages
{
    private readonly Dictionary<string, Func<IStage>> _stages = new(StringComparer.Ordinal);

    /// <summary>A new registry with the stages that ship with Waybill; a host adds its own to its copy, never to a shared one.</summary>
    public static BuiltinStages Default => new BuiltinStages()
        .Add("copy", () => new CopyStage())
        .Add("concat", () => new ConcatStage());

    public BuiltinStages Add(string name, Func<IStage> factory)
    {
        _stages[name] = factory;
        return this;
    }

    public Func<IStage>? Find(string name) => _stages.GetValueOrDefault(name);

    public IEnumerable<string> Names => _stages.Keys.Order(StringComparer.Ordinal);
}
