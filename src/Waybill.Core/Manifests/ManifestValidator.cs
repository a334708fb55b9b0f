using System.Text.Json;
using Json.Schema;

namespace Waybill.Core.Manifests;

/// <summary>Checks manifest files against the JSON Schemas in <c>schemas/</c> (embedded in this assembly).</summary>
public static class ManifestValidator
{
    // First: the fields below use the library.
    private static readonly bool s_libraryReady = JsonSchemaLibrary.Initialize();
    private static readonly Lazy<JsonSchema> s_stage = new(() => Load("manifest.schema.json"));
    private static readonly Lazy<JsonSchema> s_job = new(() => Load("job-manifest.schema.json"));
    // A valid manifest (nearly every one verify reads) needs only the verdict; the list of what is wrong is built for the rest.
    private static readonly EvaluationOptions Verdict = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true };
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    /// <summary>Problems found in a stage manifest (empty when valid), each as "location: message".</summary>
    public static IReadOnlyList<string> ValidateStage(string path) => Validate(path, s_stage.Value);

    public static IReadOnlyList<string> ValidateJob(string path) => Validate(path, s_job.Value);

    /// <summary>The schema's text, as shipped.</summary>
    public static string SchemaText(string name)
    {
        using var stream = typeof(ManifestValidator).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"schema {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static JsonSchema Load(string name) => JsonSchema.FromText(SchemaText(name), new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    private static List<string> Validate(string path, JsonSchema schema)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(ManifestLimits.ReadBytes(path));
        }
        catch (ManifestFormatException e)
        {
            return [e.Message];
        }
        catch (JsonException e)
        {
            return [$"{path}: not valid JSON at line {e.LineNumber + 1}: {e.Message}"];
        }
        using (document)
        {
            if (schema.Evaluate(document.RootElement, Verdict).IsValid) return [];
            var result = schema.Evaluate(document.RootElement, Options);
            if (result.IsValid) return [];
            return [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{path}: {(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {e.Value}"))
                .DefaultIfEmpty($"{path}: does not match the schema")];
        }
    }
}
