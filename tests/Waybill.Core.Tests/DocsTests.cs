using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Waybill.Core.Manifests;
using Xunit;

namespace Waybill.Core.Tests;

/// <summary>docs/manifest.md and the schemas describe the same fields.</summary>
public sealed partial class DocsTests
{
    private static string RepoRoot => Waybill.Tests.Support.RepositoryRoot.Required;

    private static IEnumerable<string> SchemaFields(string schemaName)
    {
        var schema = JsonNode.Parse(ManifestValidator.SchemaText(schemaName))!;
        var objects = new List<JsonNode?> { schema };
        if (schema["$defs"] is JsonObject defs) objects.AddRange(defs.Select(d => d.Value));
        if (schema["properties"]?["stages"]?["items"] is { } stageItems) objects.Add(stageItems);
        if (schema["properties"]?["lineage"]?["items"] is { } lineageItems) objects.Add(lineageItems);
        return objects.SelectMany(o => o?["properties"] is JsonObject props ? props.Select(p => p.Key) : []);
    }

    [Fact]
    public void Every_schema_field_is_documented_and_every_documented_field_exists()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot, "docs", "manifest.md"));
        var documented = FirstCellFields().Matches(doc).Select(m => m.Groups[1].Value).ToHashSet();
        var fields = SchemaFields("manifest.schema.json").Concat(SchemaFields("job-manifest.schema.json")).ToHashSet();
        Assert.Empty(fields.Except(documented));
        Assert.Empty(documented.Except(fields));
    }

    [Fact]
    public void The_shipped_schema_files_are_the_embedded_ones()
    {
        foreach (var name in new[] { "manifest.schema.json", "job-manifest.schema.json" })
            Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot, "schemas", name)), ManifestValidator.SchemaText(name));
    }

    [Fact]
    public void The_sample_pipelines_match_the_pipeline_file_schema_and_a_broken_one_does_not()
    {
        var schema = Json.Schema.JsonSchema.FromText(File.ReadAllText(Path.Combine(RepoRoot, "schemas", "pipeline.schema.json")), new Json.Schema.BuildOptions { SchemaRegistry = new Json.Schema.SchemaRegistry() });
        foreach (var file in Directory.GetFiles(Path.Combine(RepoRoot, "samples"), "waybill.yaml", SearchOption.AllDirectories))
        {
            var result = schema.Evaluate(YamlAsJson(File.ReadAllText(file)), new Json.Schema.EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.List });
            Assert.True(result.IsValid, file);
        }
        var broken = schema.Evaluate(YamlAsJson("stages:\n  - id: 1_x\n    run: a\n    uses: copy\n"), Json.Schema.EvaluationOptions.Default);
        Assert.False(broken.IsValid);
    }

    private static System.Text.Json.JsonElement YamlAsJson(string yaml)
    {
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader(yaml));
        var node = Waybill.Core.Pipeline.YamlValues.ToJson(stream.Documents[0].RootNode)!;
        return System.Text.Json.JsonDocument.Parse(node.ToJsonString()).RootElement;
    }

    [GeneratedRegex(@"^\|\s*`([a-z_]+)`\s*\|", RegexOptions.Multiline)]
    private static partial Regex FirstCellFields();
}
