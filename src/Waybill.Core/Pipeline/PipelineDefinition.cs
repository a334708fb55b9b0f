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
    public required IReadOnlyList<StageDefinition> Stages { get; init; }

    private Dictionary<string, StageDefinition>? _byKey;

    /// <summary>The stage with this id, else the first with this name; a lookup, as it runs per dependency of 100,000 stage runs.</summary>
    public StageDefinition? Find(string idOrName)
    {
        var index = _byKey;
        if (index is null)
        {
            index = new Dictionary<string, StageDefinition>(Stages.Count * 2, StringComparer.Ordinal);
            foreach (var stage in Stages) index.TryAdd(stage.Id, stage);
            foreach (var stage in Stages) index.TryAdd(stage.Name, stage);
            _byKey = index;
        }
        return index.GetValueOrDefault(idOrName);
    }

    /// <summary>The same pipeline with other stages (a fan-out's item runs in place of, or beside, its template).</summary>
    public PipelineDefinition WithStages(IReadOnlyList<StageDefinition> stages) => new()
    {
        Name = Name, SourcePath = SourcePath, SourceText = SourceText, BaseDirectory = BaseDirectory, Config = Config, Env = Env,
        SecretEnv = SecretEnv, SecretConfig = SecretConfig, Checksum = Checksum, Stages = stages,
    };

    /// <summary>The pipeline's config with the stage's own config merged over it.</summary>
    public JsonObject ConfigFor(StageDefinition stage)
    {
        var merged = (JsonObject)Config.DeepClone();
        foreach (var (key, value) in stage.Config) merged[key] = value?.DeepClone();
        return merged;
    }
}
