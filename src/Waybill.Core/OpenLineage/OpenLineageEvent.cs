using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Core.Secrets;

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
        var json = new JsonObject
        {
            ["eventType"] = EventType,
            ["eventTime"] = EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["producer"] = producer,
            ["schemaURL"] = SchemaUrl,
            ["run"] = new JsonObject { ["runId"] = OpenLineageIds.Text(RunId), ["facets"] = RunFacets.DeepClone() },
            ["job"] = new JsonObject { ["namespace"] = JobNamespace, ["name"] = JobName, ["facets"] = JobFacets.DeepClone() },
            ["inputs"] = Inputs.DeepClone(),
            ["outputs"] = Outputs.DeepClone(),
        };
        if (redactor.HasSecrets) Redact(json, redactor);
        return json.ToJsonString(OneLine);
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
