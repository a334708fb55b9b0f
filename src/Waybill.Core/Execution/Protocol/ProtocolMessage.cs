using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Waybill.Core.Execution.Protocol;

/// <summary>
/// One line of a stage channel, parsed (docs/stage-protocol.md): its type, version, time and typed fields. A field of
/// the wrong type or a missing required one does not throw: the first such problem is kept in <see cref="Problem"/>,
/// so a stage that writes many bad lines costs no exception per field.
/// </summary>
internal sealed class ProtocolMessage
{
    /// <summary>The protocol version this engine speaks.</summary>
    public const int CurrentVersion = 1;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    private readonly JsonElement _root;

    private ProtocolMessage(JsonElement root, string type)
    {
        _root = root;
        Type = type;
    }

    public string Type { get; }

    /// <summary>The first thing wrong with the message, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>Parses a line; a line that is not a JSON object, or has no string <c>type</c>, gives null and says why.</summary>
    /// <remarks>The message reads from <paramref name="document"/>, which the caller disposes once done with it.</remarks>
    public static ProtocolMessage? Parse(ReadOnlyMemory<byte> line, out JsonDocument? document, out string? problem)
    {
        document = null;
        try
        {
            document = JsonDocument.Parse(line, Options);
        }
        catch (JsonException e)
        {
            var at = e.BytePositionInLine is { } position ? $" at byte {position + 1}" : "";
            problem = $"not JSON{at} ({FirstSentence(e.Message)}): {ChannelReader.Excerpt(line.Span)}";
            return null;
        }
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = $"not a JSON object but {Kind(root.ValueKind)}: {ChannelReader.Excerpt(line.Span)}";
            return null;
        }
        if (!root.TryGetProperty("type"u8, out var type))
        {
            problem = "no \"type\" field";
            return null;
        }
        if (type.ValueKind != JsonValueKind.String)
        {
            problem = $"\"type\" is {Kind(type.ValueKind)}, not a string";
            return null;
        }
        problem = null;
        return new ProtocolMessage(root, type.GetString()!);
    }

    /// <summary><c>v</c>: the protocol version the writer speaks (1 when absent).</summary>
    public int Version()
    {
        if (!_root.TryGetProperty("v"u8, out var v)) return CurrentVersion;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var version) && version > 0) return version;
        Fail($"\"v\" is {Describe(v)}, not a protocol version (a whole number, 1)");
        return CurrentVersion;
    }

    /// <summary><c>t</c>: the writer's time; null when absent or unreadable (then the engine's time is used).</summary>
    public DateTimeOffset? Time() =>
        _root.TryGetProperty("t"u8, out var t) && t.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    /// <summary>A string field; null when absent (a problem when <paramref name="required"/>) or of another type.</summary>
    public string? Text(string name, bool required = false)
    {
        if (!_root.TryGetProperty(name, out var value) || (value.ValueKind == JsonValueKind.Null && !required))
        {
            if (required) Fail($"no \"{name}\" field");
            return null;
        }
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        Fail($"\"{name}\" is {Describe(value)}, not a string");
        return null;
    }

    /// <summary>A string field that must not be empty.</summary>
    public string? NonEmptyText(string name)
    {
        var text = Text(name, required: true);
        if (text is { Length: 0 }) Fail($"\"{name}\" is empty");
        return text is { Length: > 0 } ? text : null;
    }

    /// <summary>A boolean field, or <paramref name="fallback"/> when absent.</summary>
    public bool Flag(string name, bool fallback)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return fallback;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        Fail($"\"{name}\" is {Describe(value)}, not true or false");
        return fallback;
    }

    /// <summary>A whole number zero or more (3, or 3.0); null when absent (a problem when <paramref name="required"/>) or not one.</summary>
    public long? WholeNumber(string name, bool required = false)
    {
        if (!_root.TryGetProperty(name, out var value) || (value.ValueKind == JsonValueKind.Null && !required))
        {
            if (required) Fail($"no \"{name}\" field");
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out var whole) && whole >= 0) return whole;
            if (value.TryGetDouble(out var number) && number >= 0 && number < long.MaxValue && Math.Floor(number) == number) return (long)number;
        }
        Fail($"\"{name}\" is {Describe(value)}, not a whole number zero or more");
        return null;
    }

    /// <summary>An object field as a node the message no longer owns; null when absent.</summary>
    public JsonObject? Object(string name, bool required = false)
    {
        if (!_root.TryGetProperty(name, out var value) || (value.ValueKind == JsonValueKind.Null && !required))
        {
            if (required) Fail($"no \"{name}\" field");
            return null;
        }
        if (value.ValueKind == JsonValueKind.Object) return (JsonObject)Node(value)!;
        Fail($"\"{name}\" is {Describe(value)}, not an object");
        return null;
    }

    /// <summary>Any JSON value (null included); <paramref name="present"/> says whether the field is there.</summary>
    public JsonNode? Value(string name, out bool present)
    {
        present = _root.TryGetProperty(name, out var value);
        return present ? Node(value) : null;
    }

    /// <summary>A node the document does not own; of a key given twice the last wins, as in most JSON readers.</summary>
    private static JsonNode? Node(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var property in value.EnumerateObject()) obj[property.Name] = Node(property.Value);
                return obj;
            case JsonValueKind.Array:
                return new JsonArray([.. value.EnumerateArray().Select(Node)]);
            case JsonValueKind.String:
                return JsonValue.Create(value.GetString());
            case JsonValueKind.True or JsonValueKind.False:
                return JsonValue.Create(value.GetBoolean());
            case JsonValueKind.Number:
                return JsonValue.Create(value.Clone());
            default:
                return null;
        }
    }

    /// <summary>Records a problem found while applying the message (the first one wins).</summary>
    public void Fail(string problem) => Problem ??= problem;

    /// <summary>A value as a warning names it: its kind, and the value itself when short.</summary>
    internal static string Describe(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= 40 ? $"{Kind(value.ValueKind)} {Waybill.Core.Text.PrintableText.Of(raw)}" : Kind(value.ValueKind);
    }

    internal static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>The parser's message without its position suffix (given apart, counted from 1).</summary>
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
