using System.Text.Json;
using Waybill.Core.Manifests;

namespace Waybill.Core.Integrity;

/// <summary>
/// Reads a manifest the way verify needs: a damaged, hand-broken or newer manifest becomes a finding naming the file
/// and the field or line, never an exception; one that reads is also checked against the shipped JSON Schema.
/// </summary>
internal static class ManifestCheck
{
    private const string RerunHint = "re-run the stage to rewrite its manifest (waybill run … --job-id <job>)";

    // JsonSchema.Net has had races when one schema is evaluated on several threads: one evaluation at a time,
    // which still overlaps with the hashing on the other thread.
    private static readonly Lock SchemaGate = new();

    public static JobManifest? ReadJob(string path, string relative, FindingSink sink, ICollection<Action<SharedHasher>> later) =>
        Read(path, relative, null, sink, later, ManifestJson.ReadJob, ManifestValidator.ValidateJob);

    public static StageManifest? ReadStage(string path, string relative, string stageId, FindingSink sink, ICollection<Action<SharedHasher>> later) =>
        Read(path, relative, stageId, sink, later, ManifestJson.ReadStage, ManifestValidator.ValidateStage);

    private static T? Read<T>(string path, string relative, string? stage, FindingSink sink, ICollection<Action<SharedHasher>> later, Func<string, T> read, Func<string, IReadOnlyList<string>> validate)
        where T : class
    {
        sink.FileChecked();
        T manifest;
        try
        {
            manifest = read(path);
        }
        catch (ManifestVersionException e)
        {
            sink.Add(new Finding(FindingSeverity.Error, "newer_schema", $"{relative}: {WithoutPath(e.Message, path)}")
            {
                Stage = stage,
                Path = relative,
                Field = "schema_version",
                Expected = StageManifest.CurrentSchemaVersion,
                Actual = SchemaVersion(path),
                Hint = "upgrade waybill to verify this job",
            });
            return null;
        }
        catch (ManifestFieldException e)
        {
            sink.Add(new Finding(FindingSeverity.Error, "invalid_field", $"{relative}: {WithoutPath(e.Message, path)}")
            {
                Stage = stage,
                Path = relative,
                Field = e.Field,
                Expected = e.Expected,
                Actual = e.Actual,
                Hint = $"correct {e.Field} in {relative}, or {RerunHint}",
            });
            return null;
        }
        catch (ManifestFormatException e)
        {
            sink.Add(new Finding(FindingSeverity.Error, "unreadable_manifest", $"{relative}: {WithoutPath(e.Message, path)}") { Stage = stage, Path = relative, Hint = RerunHint });
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            sink.Add(new Finding(FindingSeverity.Error, "unreadable_manifest", $"{relative} cannot be read: {e.Message}") { Stage = stage, Path = relative });
            return null;
        }
        later.Add(_ => Validate(path, relative, stage, sink, validate));
        return manifest;
    }

    private static void Validate(string path, string relative, string? stage, FindingSink sink, Func<string, IReadOnlyList<string>> validate)
    {
        IReadOnlyList<string> problems;
        lock (SchemaGate) problems = validate(path);
        foreach (var problem in problems)
        {
            var (pointer, message) = SplitSchemaProblem(WithoutPath(problem, path));
            sink.Add(new Finding(FindingSeverity.Error, "schema", $"{relative}: {(pointer is null ? "" : $"field {pointer}: ")}{message}")
            {
                Stage = stage,
                Path = relative,
                Field = pointer,
                Hint = RerunHint,
            });
        }
    }

    private static string WithoutPath(string message, string path) =>
        message.StartsWith(path + ": ", StringComparison.Ordinal) ? message[(path.Length + 2)..] : message;

    /// <summary>The validator writes "/outputs/0/size_bytes: message"; the pointer is the field.</summary>
    private static (string? Pointer, string Message) SplitSchemaProblem(string problem)
    {
        if (!problem.StartsWith('/')) return (null, problem);
        var colon = problem.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? (null, problem) : (problem[..colon], problem[(colon + 2)..]);
    }

    /// <summary>The schema_version a manifest gives, for the report.</summary>
    private static string? SchemaVersion(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(ManifestLimits.ReadBytes(path));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("schema_version", out var version)
                && version.ValueKind == JsonValueKind.String ? version.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or ManifestFormatException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
