using System.Text.Json;
using System.Text.Json.Nodes;

namespace Waybill.Core.Execution;

/// <summary>Turns values handed to StageContext (numbers, strings, lists, anonymous objects) into JSON.</summary>
internal static class JsonValues
{
    public static JsonNode? From(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        _ => JsonSerializer.SerializeToNode(value, value.GetType()),
    };

    public static JsonObject? Object(IEnumerable<KeyValuePair<string, object?>>? values)
    {
        if (values is null) return null;
        var result = new JsonObject();
        foreach (var (key, value) in values) result[key] = From(value);
        return result.Count == 0 ? null : result;
    }
}
