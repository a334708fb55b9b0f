using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Waybill.Core.Manifests;

/// <summary>
/// Reads the string fields that the manifests of a job repeat (a stage's name, the run, the host, a status) as the same
/// string each time a thread meets the same bytes: a no-op rerun of 100,000 items read a dozen such strings per stage
/// manifest, and some in every line of the job manifest, each a new object, and kept many of them until the run ended.
/// </summary>
internal sealed class RepeatedString : JsonConverter<string>
{
    public static readonly RepeatedString Instance = new();

    // The JSON names of the fields read through it: values that most records of a job share.
    private static readonly HashSet<string> Fields = new(StringComparer.Ordinal)
    {
        "schema_version", "stage", "job_id", "run_id", "status", "status_reason", "kind", "command", "host", "waybill_version",
        "measured_by", "type", "location", "format", "checked_by_run",
    };

    private const int Slots = 64;
    private const int Longest = 128;

    [ThreadStatic]
    private static (byte[] Utf8, string Text)[]? t_seen;

    /// <summary>A read-contract modifier: the repeated fields of every record type read through this converter.</summary>
    public static void UseFor(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in info.Properties)
        {
            if (property.PropertyType == typeof(string) && property.CustomConverter is null && Fields.Contains(property.Name))
                property.CustomConverter = Instance;
        }
    }

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Read(ref reader);

    /// <summary>The string the reader is on, the one this thread read before from the same bytes where there is one.</summary>
    public static string? Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.HasValueSequence || reader.ValueIsEscaped || reader.ValueSpan.Length > Longest)
            return reader.GetString();
        var bytes = reader.ValueSpan;
        var seen = t_seen ??= new (byte[], string)[Slots];
        ref var slot = ref seen[(int)(XxHash3.HashToUInt64(bytes) % Slots)];
        if (slot.Utf8 is { } known && bytes.SequenceEqual(known)) return slot.Text;
        var text = reader.GetString()!;
        slot = (bytes.ToArray(), text);
        return text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
