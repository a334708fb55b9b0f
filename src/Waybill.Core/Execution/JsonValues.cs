using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Waybill.Core.Execution;

/// <summary>
/// Turns values handed to StageContext (numbers, strings, lists, anonymous objects) into JSON, and config values back
/// into the types stages ask for. The common types go through generated code; anything else needs reflection, which the
/// native (ahead-of-time compiled) build of the CLI does not have: there it is refused with a message saying what to pass.
/// </summary>
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
        float f => JsonValue.Create(f),
        decimal m => JsonValue.Create(m),
        DateTimeOffset t => JsonValue.Create(t),
        System.Collections.IDictionary map => new JsonObject(map.Keys.Cast<object>().Select(k => KeyValuePair.Create(Convert.ToString(k, System.Globalization.CultureInfo.InvariantCulture) ?? "", From(map[k])))),
        System.Collections.IEnumerable items => new JsonArray([.. items.Cast<object?>().Select(From)]),
        _ when RuntimeFeature.IsDynamicCodeSupported => Reflected(value),
        _ => throw new NotSupportedException($"a {value.GetType().Name} cannot be recorded by this build of Waybill; pass a JsonNode, a string, a number or a bool"),
    };

    public static JsonObject? Object(IEnumerable<KeyValuePair<string, object?>>? values)
    {
        if (values is null) return null;
        var result = new JsonObject();
        foreach (var (key, value) in values) result[key] = From(value);
        return result.Count == 0 ? null : result;
    }

    /// <summary>A JSON node as a standalone element (for the manifest's free-form fields).</summary>
    public static JsonElement Element(JsonNode? node) => JsonSerializer.SerializeToElement(node, KnownJsonContext.Default.JsonNode);

    /// <summary>A config value as <typeparamref name="T"/>.</summary>
    public static T? To<T>(JsonNode node) =>
        KnownJsonContext.Default.GetTypeInfo(typeof(T)) is JsonTypeInfo<T> info ? node.Deserialize(info)
        : RuntimeFeature.IsDynamicCodeSupported ? ReflectedTo<T>(node)
        : throw new NotSupportedException($"this build of Waybill reads config values as strings, numbers, bools, string lists or JsonNode, not as {typeof(T).Name}");

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only where dynamic code is supported (the JIT build), which keeps every type.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Guarded by RuntimeFeature.IsDynamicCodeSupported.")]
    private static JsonNode? Reflected(object value) => JsonSerializer.SerializeToNode(value, value.GetType());

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only where dynamic code is supported (the JIT build), which keeps every type.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Guarded by RuntimeFeature.IsDynamicCodeSupported.")]
    private static T? ReflectedTo<T>(JsonNode node) => node.Deserialize<T>();
}

/// <summary>The value types stages commonly pass or ask for, with generated (de)serializers.</summary>
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(bool?))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(int?))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(long?))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(double?))]
[JsonSerializable(typeof(decimal))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class KnownJsonContext : JsonSerializerContext;
