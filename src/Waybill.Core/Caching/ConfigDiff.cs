using System.Text.Json.Nodes;

namespace Waybill.Core.Caching;

/// <summary>Names each config value that differs between two runs of a stage: <c>config.model changed: base → small</c>.</summary>
public static class ConfigDiff
{
    private const int MaxValueLength = 60;

    public static IEnumerable<string> Describe(JsonObject before, JsonObject after) =>
        // Most stages have no config: two empty ones need no flattening (a no-op rerun asks once per stage run).
        before.Count == 0 && after.Count == 0 ? [] : Changes(before, after);

    private static IEnumerable<string> Changes(JsonObject before, JsonObject after)
    {
        var old = Flatten(before);
        var now = Flatten(after);
        foreach (var (key, value) in now.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!old.TryGetValue(key, out var was)) yield return $"config.{key} added: {Show(value)}";
            else if (was != value) yield return $"config.{key} changed: {Show(was)} → {Show(value)}";
        }
        foreach (var (key, was) in old.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (!now.ContainsKey(key)) yield return $"config.{key} removed (was {Show(was)})";
    }

    /// <summary>Nested objects become dotted keys; arrays and scalars are compared as canonical JSON.</summary>
    private static Dictionary<string, string> Flatten(JsonObject config)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(config, "");
        return result;

        void Walk(JsonObject node, string prefix)
        {
            foreach (var (key, value) in node)
            {
                if (value is JsonObject child && child.Count > 0) Walk(child, prefix + key + ".");
                else result[prefix + key] = StageFingerprinter.Canonical(value);
            }
        }
    }

    private static string Show(string json)
    {
        var text = json.Length >= 2 && json[0] == '"' && json[^1] == '"' ? json[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal) : json;
        if (text.Length == 0) text = "\"\"";
        return text.Length <= MaxValueLength ? text : text[..(MaxValueLength - 1)] + "…";
    }
}
