using System.Text.Json.Nodes;
using Waybill.Core.Pipeline.Controls;
using Waybill.Core.Text;

namespace Waybill.Core.Pipeline;

/// <summary>
/// <c>--set key=value</c>: <c>model=small</c> or <c>config.model=small</c> sets pipeline config;
/// <c>06_asr.model=small</c> or <c>asr.model=small</c> sets one stage's config. Dotted keys reach nested values.
/// <c>06_asr.timeout=30m</c> sets a stage control (<see cref="StageControlsReader.Keys"/>); a config key of the same name
/// is reached as <c>06_asr.config.timeout</c>.
/// </summary>
public static class ConfigOverrides
{
    /// <summary>A value as <c>--set</c> reads it: a number, true or false, null (empty, <c>~</c>, <c>null</c>), else the text.</summary>
    public static JsonNode? ParseValue(string text) => YamlValues.Parse(text);

    public static PipelineDefinition Apply(PipelineDefinition pipeline, IEnumerable<string> overrides)
    {
        var errors = new List<PipelineError>();
        var pipelineConfig = (JsonObject)pipeline.Config.DeepClone();
        // Duplicate ids are reported by the validator afterwards; here the first one wins.
        var stageConfigs = pipeline.Stages.GroupBy(s => s.Id).ToDictionary(g => g.Key, g => (JsonObject)g.First().Config.DeepClone(), StringComparer.Ordinal);
        var controls = new Dictionary<string, StageControls>(StringComparer.Ordinal);
        foreach (var item in overrides)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                errors.Add(new PipelineError($"--set '{PrintableText.Of(item)}' is not key=value", Field: "--set",
                    Hint: "e.g. --set model=small or --set 06_asr.model=small"));
                continue;
            }
            var key = item[..eq];
            if (OverrideKeys.Problem(key) is { } problem)
            {
                errors.Add(new PipelineError($"--set key '{PrintableText.Of(key)}' is malformed: {problem}", Field: "--set",
                    Hint: OverrideKeys.Rule));
                continue;
            }
            var value = YamlValues.Parse(item[(eq + 1)..]);
            if (key.StartsWith("config.", StringComparison.Ordinal)) key = key["config.".Length..];
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            var stage = dot > 0 ? pipeline.Find(key[..dot]) : null;
            var rest = dot > 0 ? key[(dot + 1)..] : "";
            if (stage is not null && StageControlsReader.IsControl(rest))
            {
                var field = $"--set {PrintableText.Of(key)}";
                controls[stage.Id] = StageControlsReader.With(controls.GetValueOrDefault(stage.Id, stage.Controls), rest, value, null,
                    (message, hint) => errors.Add(new PipelineError(message, Field: field, Hint: hint)));
            }
            // <stage>.config.<key> reaches a config key that has a control's name (06_asr.config.timeout).
            else if (stage is not null && rest.StartsWith("config.", StringComparison.Ordinal))
                SetDotted(stageConfigs[stage.Id], rest["config.".Length..], value);
            else if (stage is not null) SetDotted(stageConfigs[stage.Id], rest, value);
            else SetDotted(pipelineConfig, key, value);
        }
        if (errors.Count > 0) throw new PipelineInvalidException(errors);
        return new PipelineDefinition
        {
            Name = pipeline.Name,
            SourcePath = pipeline.SourcePath,
            SourceText = pipeline.SourceText,
            BaseDirectory = pipeline.BaseDirectory,
            Config = pipelineConfig,
            Env = pipeline.Env,
            SecretEnv = pipeline.SecretEnv,
            SecretConfig = pipeline.SecretConfig,
            Checksum = pipeline.Checksum,
            RateCard = pipeline.RateCard,
            Stages = [.. pipeline.Stages.Select(s => With(s, stageConfigs[s.Id], controls.GetValueOrDefault(s.Id, s.Controls)))],
        };
    }

    private static StageDefinition With(StageDefinition s, JsonObject config, StageControls controls) => new()
    {
        Id = s.Id, Number = s.Number, Name = s.Name, Kind = s.Kind, Command = s.Command, Uses = s.Uses, Factory = s.Factory,
        Description = s.Description, Inputs = s.Inputs, Outputs = s.Outputs, Config = config, Env = s.Env, After = s.After,
        Tools = s.Tools, Controls = controls, Location = s.Location, CommandLocation = s.CommandLocation,
        Foreach = s.Foreach, FanOutRoot = s.FanOutRoot, Item = s.Item, TemplateId = s.TemplateId, Reports = s.Reports,
    };

    private static void SetDotted(JsonObject target, string dottedKey, JsonNode? value)
    {
        var parts = dottedKey.Split('.');
        var node = target;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                child = [];
                node[part] = child;
            }
            node = child;
        }
        node[parts[^1]] = value;
    }
}
