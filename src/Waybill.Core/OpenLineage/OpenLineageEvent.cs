using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Core.Secrets;
using Waybill.Core.Text;

namespace Waybill.Core.OpenLineage;

/// <summary>One OpenLineage RunEvent (spec 2-0-2): a run of a job changed state, with the datasets it read and wrote.</summary>
internal sealed record OpenLineageEvent(string EventType, DateTimeOffset EventTime, Guid RunId, JsonObject RunFacets, string JobNamespace, string JobName, JsonObject JobFacets)
{
    public const string Start = "START";
    public const string Complete = "COMPLETE";
    public const string Fail = "FAIL";
    public const string Abort = "ABORT";
    public const string SchemaUrl = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

    private static readonly JsonSerializerOptions OneLine = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public JsonArray Inputs { get; init; } = [];
    public JsonArray Outputs { get; init; } = [];

    /// <summary>The event as one line of JSON; every string value passes the redactor, whatever facet it came from.</summary>
    public string ToJsonLine(string producer, Redactor redactor)
    {
        // The facet trees are written in place; only a run with secrets to hide pays for copies it can redact.
        var (runFacets, jobFacets, inputs, outputs) = redactor.HasSecrets
            ? (Redacted(RunFacets, redactor), Redacted(JobFacets, redactor), Redacted(Inputs, redactor), Redacted(Outputs, redactor))
            : ((JsonNode)RunFacets, (JsonNode)JobFacets, (JsonNode)Inputs, (JsonNode)Outputs);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = OneLine.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("eventType", EventType);
            writer.WriteString("eventTime", UtcMillisecondTime.Format(EventTime));
            writer.WriteString("producer", redactor.Redact(producer));
            writer.WriteString("schemaURL", SchemaUrl);
            writer.WriteStartObject("run");
            writer.WriteString("runId", OpenLineageIds.Text(RunId));
            writer.WritePropertyName("facets");
            runFacets.WriteTo(writer, OneLine);
            writer.WriteEndObject();
            writer.WriteStartObject("job");
            writer.WriteString("namespace", redactor.Redact(JobNamespace));
            writer.WriteString("name", redactor.Redact(JobName));
            writer.WritePropertyName("facets");
            jobFacets.WriteTo(writer, OneLine);
            writer.WriteEndObject();
            writer.WritePropertyName("inputs");
            inputs.WriteTo(writer, OneLine);
            writer.WritePropertyName("outputs");
            outputs.WriteTo(writer, OneLine);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static JsonNode Redacted(JsonNode node, Redactor redactor)
    {
        var copy = node.DeepClone();
        Redact(copy, redactor);
        return copy;
    }

    private static void Redact(JsonNode? node, Redactor redactor)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is JsonValue value && value.TryGetValue<string>(out var text)) obj[key] = redactor.Redact(text);
                    else Redact(obj[key], redactor);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text)) array[i] = redactor.Redact(text);
                    else Redact(array[i], redactor);
                }
                break;
        }
    }
}
