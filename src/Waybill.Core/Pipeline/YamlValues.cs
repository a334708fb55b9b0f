using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Waybill.Core.Pipeline;

/// <summary>YAML values to JSON values: plain scalars become numbers and booleans, quoted ones stay strings.</summary>
internal static class YamlValues
{
    /// <summary>A whole YAML value as JSON, aliases expanded within the default limits.</summary>
    public static JsonNode? ToJson(YamlNode node) =>
        new Limits.YamlToJson("(yaml)", Limits.PipelineLimits.Default, CancellationToken.None).Convert(node, 1);

    public static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value;
        if (scalar.Style != ScalarStyle.Plain) return JsonValue.Create(text ?? "");
        return Parse(text);
    }

    /// <summary>The same rules for <c>--set key=value</c>: <c>3</c> is a number, <c>true</c> a boolean, <c>small</c> a string.</summary>
    public static JsonNode? Parse(string? text)
    {
        switch (text)
        {
            case null or "~" or "null" or "": return null;
            case "true" or "True": return JsonValue.Create(true);
            case "false" or "False": return JsonValue.Create(false);
        }
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer)) return JsonValue.Create(integer);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && char.IsAsciiDigit(text[^1])) return JsonValue.Create(number);
        return JsonValue.Create(text);
    }

    public static SourceLocation At(string file, YamlNode node) => new(file, node.Start.Line, node.Start.Column);

    public static SourceLocation At(string file, Mark mark) => new(file, mark.Line, mark.Column);
}
