using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Core.Text;

namespace Waybill.Cli.Commands.StageVerbs;

/// <summary>
/// One message of the stage protocol as the line the verbs write: compact UTF-8 JSON (non-ASCII kept readable, control
/// characters escaped, so it is one line) with <c>v</c>, <c>t</c> and <c>type</c> first, ending in <c>\n</c>.
/// </summary>
internal static class StageMessage
{
    /// <summary>The longest line the engine reads: 1 MiB (docs/stage-protocol.md).</summary>
    public const int MaxLineBytes = 1 << 20;

    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    public static byte[] Line(string type, DateTimeOffset now, Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", 1);
            writer.WriteString("t", UtcMillisecondTime.Format(now));
            writer.WriteString("type", type);
            fields(writer);
            writer.WriteEndObject();
        }
        if (buffer.WrittenCount > MaxLineBytes)
        {
            throw new CliException(
                string.Create(CultureInfo.InvariantCulture,
                    $"waybill stage: the {type} message is too long: {buffer.WrittenCount} bytes, "
                    + $"and the stage channel takes lines of at most {MaxLineBytes}"),
                "write long text to a file and record the file instead (waybill stage track-output FILE)");
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a string field only when it has a value.</summary>
    public static void Optional(this Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null) writer.WriteString(name, value);
    }

    /// <summary>An object field from parsed KEY=VALUE pairs; nothing when there are none.</summary>
    public static void Object(this Utf8JsonWriter writer, string name, IReadOnlyList<KeyValuePair<string, JsonNode?>> values, bool always = false)
    {
        if (values.Count == 0 && !always) return;
        writer.WritePropertyName(name);
        writer.WriteStartObject();
        foreach (var (key, value) in values)
        {
            writer.WritePropertyName(key);
            Value(writer, value);
        }
        writer.WriteEndObject();
    }

    /// <summary>A scalar as --set parses it (number, boolean, string) or null.</summary>
    public static void Value(Utf8JsonWriter writer, JsonNode? value)
    {
        if (value is null) writer.WriteNullValue();
        else value.WriteTo(writer);
    }
}
