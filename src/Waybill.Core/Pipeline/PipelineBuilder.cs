using System.Text.Json.Nodes;
using Waybill.Core.Execution;
using Waybill.Core.Hashing;
using Waybill.Core.Pipeline.Controls;
using Waybill.Core.Stages;

namespace Waybill.Core.Pipeline;

/// <summary>
/// Composes a pipeline in C#: <c>new PipelineBuilder("demo").Stage("01_make", () =&gt; new MakeStage(), s =&gt; s.Output("data", "data.json")).Build()</c>.
/// Build() validates exactly as a pipeline file is validated.
/// </summary>
public sealed class PipelineBuilder(string name, string? baseDirectory = null)
{
    private readonly List<StageDefinition> _stages = [];
    private readonly JsonObject _config = [];
    private readonly Dictionary<string, string> _env = new(StringComparer.Ordinal);
    private readonly List<string> _secretConfig = [];
    private ChecksumAlgorithm _checksum = ChecksumAlgorithm.XxHash128;

    public PipelineBuilder Config(string key, object? value)
    {
        _config[key] = JsonValues.From(value);
        return this;
    }

    /// <summary>A config value that is masked everywhere, whatever its name.</summary>
    public PipelineBuilder SecretConfig(string key, string value)
    {
        _secretConfig.Add(key);
        return Config(key, value);
    }

    public PipelineBuilder Env(string name, string value)
    {
        _env[name] = value;
        return this;
    }

    public PipelineBuilder Checksum(ChecksumAlgorithm algorithm)
    {
        _checksum = algorithm;
        return this;
    }

    public PipelineBuilder Stage(string id, Func<IStage> factory, Action<StageBuilder>? configure = null) => Add(id, StageKind.Code, factory, null, configure);

    /// <summary>A shell-command stage, exactly like <c>run:</c> in a pipeline file.</summary>
    public PipelineBuilder Command(string id, string command, Action<StageBuilder>? configure = null) => Add(id, StageKind.Command, null, command, configure);

    private PipelineBuilder Add(string id, StageKind kind, Func<IStage>? factory, string? command, Action<StageBuilder>? configure)
    {
        if (!StageIds.TryParse(id, out var number, out var stageName))
            throw new PipelineInvalidException(new PipelineError($"invalid stage id '{id}'", Field: id, Hint: StageIds.Rule));
        var builder = new StageBuilder();
        configure?.Invoke(builder);
        _stages.Add(new StageDefinition
        {
            Id = id, Number = number, Name = stageName, Kind = kind, Factory = factory, Command = command,
            Inputs = builder.Inputs, Outputs = builder.Outputs, Config = builder.ConfigValues, After = builder.After, Tools = builder.Tools,
            Controls = builder.ControlValues,
        });
        return this;
    }

    public PipelineDefinition Build()
    {
        var pipeline = new PipelineDefinition
        {
            Name = name,
            BaseDirectory = Path.GetFullPath(baseDirectory ?? Environment.CurrentDirectory),
            Config = _config,
            Env = _env,
            SecretConfig = _secretConfig,
            Checksum = _checksum,
            Stages = [.. _stages],
        };
        PipelineValidator.ThrowIfInvalid(pipeline);
        return pipeline;
    }
}

/// <summary>Declares one stage's inputs, outputs, config and ordering.</summary>
public sealed class StageBuilder
{
    internal List<InputDeclaration> Inputs { get; } = [];
    internal List<OutputDeclaration> Outputs { get; } = [];
    internal JsonObject ConfigValues { get; } = [];
    internal List<string> After { get; } = [];
    internal Dictionary<string, string> Tools { get; } = new(StringComparer.Ordinal);
    internal StageControls ControlValues { get; private set; } = StageControls.None;

    /// <summary>Timeout, retries, resource requests, optional: the same controls as the pipeline file's stage keys.</summary>
    public StageBuilder Controls(Func<StageControls, StageControls> change)
    {
        ControlValues = change(ControlValues);
        return this;
    }

    /// <summary>An upstream output (<c>01_demux.audio</c>); an optional one is absent when its producer skipped.</summary>
    public StageBuilder Input(string name, string from, string? type = null, string? format = null, bool optional = false)
    {
        var dot = from.LastIndexOf('.');
        if (dot <= 0) throw new PipelineInvalidException(new PipelineError($"input '{name}' source '{from}' must be <stage>.<output>", Field: name));
        Inputs.Add(new InputDeclaration(name, from[..dot], from[(dot + 1)..], null, type, format, Optional: optional));
        return this;
    }

    /// <summary>A file outside the job (relative to the pipeline's base directory unless absolute).</summary>
    public StageBuilder ExternalInput(string name, string path, string? type = null, string? format = null)
    {
        Inputs.Add(new InputDeclaration(name, null, null, path, type, format));
        return this;
    }

    public StageBuilder Output(string name, string path, string? type = null, string? format = null)
    {
        Outputs.Add(new OutputDeclaration(name, path, type, format));
        return this;
    }

    public StageBuilder Config(string key, object? value)
    {
        ConfigValues[key] = JsonValues.From(value);
        return this;
    }

    public StageBuilder RunsAfter(string stage)
    {
        After.Add(stage);
        return this;
    }

    public StageBuilder Tool(string name, string versionCommand)
    {
        Tools[name] = versionCommand;
        return this;
    }
}
