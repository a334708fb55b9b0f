using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Waybill.Core.Manifests;

namespace Waybill.Core.Tests.OpenLineage;

/// <summary>The published OpenLineage 2-0-2 schema (vendored next to this file) and Waybill's own facet schema, as checks.</summary>
internal static class OpenLineageSchemas
{
    private static readonly string[] DatasetLists = ["inputs", "outputs"];
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private static readonly Lazy<JsonSchema> Spec = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "OpenLineage", "OpenLineage-2-0-2.json")), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    private static readonly Lazy<JsonSchema> WaybillFacets = new(() =>
        JsonSchema.FromText(ManifestValidator.SchemaText("openlineage-facets.schema.json"), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    /// <summary>Problems of one event line against the spec, and of each facets object in it against the Waybill facets; empty when valid.</summary>
    public static IReadOnlyList<string> Problems(string line)
    {
        var problems = Evaluate(Spec.Value, line);
        var json = JsonNode.Parse(line)!;
        var facetObjects = new[] { json["run"]?["facets"], json["job"]?["facets"] }
            .Concat(DatasetLists.SelectMany(list => json[list]?.AsArray() ?? []).Select(d => d?["facets"]))
            .OfType<JsonObject>();
        foreach (var facets in facetObjects)
            problems.AddRange(Evaluate(WaybillFacets.Value, facets.ToJsonString()));
        return problems;
    }

    private static List<string> Evaluate(JsonSchema schema, string json)
    {
        using var document = JsonDocument.Parse(json);
        var result = schema.Evaluate(document.RootElement, Options);
        if (result.IsValid) return [];
        return [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
            .DefaultIfEmpty("does not match the schema")];
    }
}
