using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages;

/// <summary>Reads config values for the stages' load-time checks (<see cref="StageConfigCheck"/>), where no StageContext exists yet.</summary>
internal static class ConfigValues
{
    /// <summary>A string value, trimmed; null when the key is absent or null; a number or boolean as its JSON text.</summary>
    public static string? Text(JsonObject config, string key) => config.TryGetPropertyValue(key, out var node) && node is not null
        ? (node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString()).Trim()
        : null;

    /// <summary>Whether the key holds a non-null value.</summary>
    public static bool Has(JsonObject config, string key) => config.TryGetPropertyValue(key, out var node) && node is not null;

    /// <summary>
    /// A number, or null when absent; <paramref name="problem"/> says so when the value is not a number or lies outside
    /// [<paramref name="minimum"/>, <paramref name="maximum"/>] (or is not whole where <paramref name="whole"/>).
    /// </summary>
    public static double? Number(JsonObject config, string key, double minimum, double maximum, string example, out ConfigProblem? problem,
        bool whole = false)
    {
        problem = null;
        if (!config.TryGetPropertyValue(key, out var node) || node is null) return null;
        var kind = whole ? "a whole number" : "a number";
        var range = double.IsPositiveInfinity(maximum) ? $"at least {Format(minimum)}" : $"between {Format(minimum)} and {Format(maximum)}";
        if (node.GetValueKind() != JsonValueKind.Number
            || !double.TryParse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            problem = new ConfigProblem(key, $"{node.ToJsonString()} is not {kind}; it must be {range}", example);
            return null;
        }
        if (value < minimum || value > maximum || (whole && Math.Floor(value) != value))
        {
            problem = new ConfigProblem(key, $"{Format(value)} is out of range; it must be {kind} {range}", example);
            return null;
        }
        return value;
    }

    public static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
