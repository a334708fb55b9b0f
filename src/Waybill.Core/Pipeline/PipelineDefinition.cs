using System.Text.Json.Nodes;
using Waybill.Core.Hashing;

namespace Waybill.Core.Pipeline;

/// <summary>A validated DAG of stages plus the config, environment and secrets they share.</summary>
public sealed class PipelineDefinition
{
    public required string Name { get; init; }
    /// <summary>The pipeline file, when the pipeline came from one.</summary>
    public string? SourcePath { get; init; }
    /// <summary>The pipeline file's text as loaded (also for a pipeline built into a program, which has no file on disk).</summary>
    public string? SourceText { get; init; }
    /// <summary>External input paths are read relative to this folder.</summary>
    public required string BaseDirectory { get; init; }
    public JsonObject Config { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>Environment variables passed to stages whose values are masked everywhere.</summary>
    public IReadOnlyList<string> SecretEnv { get; init; } = [];
    /// <summary>Config keys (dotted) marked secret in addition to those whose names look secret.</summary>
    public IReadOnlyList<string> SecretConfig { get; init; } = [];
    public ChecksumAlgorithm Checksum { get; init; } = ChecksumAlgorithm.XxHash128;
    /// <summary>The prices stage runs are costed at (<c>cost:</c>); null: no costs are recorded.</summary>
    internal Costs.RateCard? RateCard { get; init; }
    public required IReadOnlyList<StageDefinition> Stages { get => _stages; init => _stages = value; }

    private volatile IReadOnlyList<StageDefinition> _stages = [];

    private volatile Dictionary<string, StageDefinition>? _byKey;

    /// <summary>
    /// The stages after a dynamic fan-out added its item runs. Replaced whole (copy on write), so a stage running on
    /// another thread reads either the old list or the new one, never one half-changed.
    /// </summary>
    internal void Grow(IReadOnlyList<StageDefinition> stages)
    {
        var index = Index(stages);
        lock (_grow)
        {
            _stages = stages;
            _byKey = index;
        }
    }

    private readonly Lock _grow = new();

    /// <summary>The stage with this id, else the first with this name; a lookup, as it runs per dependency of 100,000 stage runs.</summary>
    public StageDefinition? Find(string idOrName)
    {
        var index = _byKey;
        if (index is null)
        {
            lock (_grow) index = _byKey ??= Index(Stages);
        }
        return index.GetValueOrDefault(idOrName);
    }

    private static Dictionary<string, StageDefinition> Index(IReadOnlyList<StageDefinition> stages)
    {
        var index = new Dictionary<string, StageDefinition>(stages.Count * 2, StringComparer.Ordinal);
        foreach (var stage in stages) index.TryAdd(stage.Id, stage);
        foreach (var stage in stages) index.TryAdd(stage.Name, stage);
        return index;
    }

    /// <summary>The same pipeline with other stages (a fan-out's item runs in place of, or beside, its template).</summary>
    public PipelineDefinition WithStages(IReadOnlyList<StageDefinition> stages) => new()
    {
        Name = Name, SourcePath = SourcePath, SourceText = SourceText, BaseDirectory = BaseDirectory, Config = Config, Env = Env,
        SecretEnv = SecretEnv, SecretConfig = SecretConfig, Checksum = Checksum, RateCard = RateCard, Stages = stages,
    };

    /// <summary>The pipeline's config with the stage's own config merged over it.</summary>
    public JsonObject ConfigFor(StageDefinition stage)
    {
        var merged = (JsonObject)Config.DeepClone();
        foreach (var (key, value) in stage.Config) merged[key] = value?.DeepClone();
        return merged;
    }
}
