using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Waybill.Core.Pipeline.Limits;

/// <summary>
/// YAML config to JSON with aliases expanded, within one budget of values for the whole file: aliases share nodes in
/// the YAML model, but every use becomes a copy in JSON, so a few hundred bytes of nested aliases could ask for billions.
/// </summary>
internal sealed class YamlToJson(string display, PipelineLimits limits, CancellationToken cancellationToken)
{
    private long _values;

    /// <summary>
    /// Counts values the loader reads outside config (env, inputs, outputs, after, tools, stages) against the same budget:
    /// an alias can repeat a large mapping there too, once per stage.
    /// </summary>
    public void Spend(YamlNode at, int values)
    {
        _values += values;
        if (_values > limits.MaxNodes) throw TooMany(at);
    }

    /// <param name="depth">The nesting level of <paramref name="node"/> in the file (the top mapping is 1).</param>
    public JsonNode? Convert(YamlNode node, int depth)
    {
        if (++_values > limits.MaxNodes) throw TooMany(node);
        // Through aliases a value can nest deeper than the text does.
        if (node is YamlMappingNode or YamlSequenceNode && depth > limits.MaxDepth)
            throw Refuse(node, $"config nests more than {limits.MaxDepth} levels deep once its aliases are expanded",
                PipelineLimits.RaiseHint(PipelineLimits.DepthVariable, "nest less", PipelineLimits.DepthCeiling));
        if ((_values & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
        return node switch
        {
            YamlScalarNode scalar => YamlValues.Scalar(scalar),
            YamlSequenceNode sequence => Sequence(sequence, depth),
            YamlMappingNode mapping => Mapping(mapping, depth),
            _ => null,
        };
    }

    private JsonArray Sequence(YamlSequenceNode sequence, int depth)
    {
        var result = new JsonArray();
        foreach (var child in sequence.Children) result.Add(Convert(child, depth + 1));
        return result;
    }

    private JsonObject Mapping(YamlMappingNode mapping, int depth)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = key is YamlScalarNode scalar ? scalar.Value ?? "" : "";
            if (key is not YamlScalarNode)
                throw Refuse(key, "a config key must be a single value, not a mapping or a list", "write the key as plain text");
            // A repeated key is refused by the YAML parser already; the last one wins here for safety.
            result[name] = Convert(value, depth + 1);
        }
        return result;
    }

    private PipelineInvalidException TooMany(YamlNode at) =>
        Refuse(at, $"the pipeline holds more than {limits.MaxNodes} values once its aliases are expanded",
            PipelineLimits.RaiseHint(PipelineLimits.NodesVariable, "repeat fewer or smaller values through aliases"));

    private PipelineInvalidException Refuse(YamlNode at, string message, string hint) =>
        new(new PipelineError(message, YamlValues.At(display, at), Hint: hint));
}
