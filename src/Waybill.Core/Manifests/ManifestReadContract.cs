using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Waybill.Core.Manifests;

/// <summary>
/// The generated read metadata of the manifests (the native build's only kind), with every record type made by its
/// parameterless constructor and filled through its setters. The generator treats a type's <c>required</c> properties
/// as constructor arguments, and its reader then holds every property of the object, boxed, until the object is
/// complete: that path was most of the time a no-op rerun spent parsing the previous stage manifests (perf, native build,
/// 20,000 items). A property the type requires is still required in the file (its metadata says so): a manifest that
/// lacks one is refused as before.
/// </summary>
internal static class ManifestReadContract
{
    // The required values are placeholders the reader overwrites, or refuses the file for lacking.
    private static readonly Dictionary<Type, Func<object>> Factories = new()
    {
        [typeof(StageManifest)] = () => new StageManifest
        {
            Stage = null!, StageId = null!, JobId = null!, RunId = null!, Kind = null!, Host = null!, WaybillVersion = null!,
        },
        [typeof(JobManifest)] = () => new JobManifest { JobId = null!, RunId = null!, Pipeline = null!, Host = null!, WaybillVersion = null! },
        [typeof(JobStageSummary)] = () => new JobStageSummary { StageId = null!, Stage = null! },
        [typeof(FileRecord)] = () => new FileRecord { Type = null!, Path = null! },
        [typeof(ItemRecord)] = () => new ItemRecord { Key = null!, Value = null! },
        [typeof(StageFingerprint)] = () => new StageFingerprint { Value = null!, Definition = null! },
        [typeof(ProducedBy)] = () => new ProducedBy { RunId = null!, Status = null! },
        [typeof(ProblemRecord)] = () => new ProblemRecord { Timestamp = default, Message = null! },
        [typeof(StageTry)] = () => new StageTry { Status = null! },
        [typeof(AbsentInput)] = () => new AbsentInput { Name = null!, Reason = null! },
        [typeof(ReusedFrom)] = () => new ReusedFrom { Job = null!, Stage = null!, Run = null!, Reason = null! },
        [typeof(LineageEdge)] = () => new LineageEdge { FromStage = null!, FromOutput = null!, ToStage = null!, ToInput = null!, Path = null! },
        [typeof(SealedFile)] = () => new SealedFile { Path = null!, Checksum = null! },
        [typeof(LogSegment)] = () => new LogSegment { Checksum = null! },
        [typeof(JobWarning)] = () => new JobWarning { StageId = null!, Message = null! },
    };

    public static IJsonTypeInfoResolver Resolver { get; } = ManifestJsonContext.Default.WithAddedModifier(UseSetters)
        .WithAddedModifier(RepeatedString.UseFor);

    /// <summary>
    /// Leaves a stage manifest's <c>config</c> unread (skipped as the reader meets it): a decision compares the fingerprint's
    /// config, and a large run keeps no stage's config in memory (KeptOutcome), so a no-op rerun of a fan-out need not build
    /// every item's copy of the pipeline's config as a tree. A value that is not an object is refused as the whole read refuses it.
    /// </summary>
    public static void LeaveConfig(JsonTypeInfo info)
    {
        if (info.Type != typeof(StageManifest)) return;
        foreach (var property in info.Properties)
        {
            if (property.Name == "config") property.CustomConverter = SkippedObject.Instance;
        }
    }

    /// <summary>An object read past, its place given an empty one; anything else is refused.</summary>
    private sealed class SkippedObject : JsonConverter<JsonObject>
    {
        public static readonly SkippedObject Instance = new();

        public override JsonObject Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"expected an object, not {reader.TokenType}");
            reader.Skip();
            return [];
        }

        public override void Write(Utf8JsonWriter writer, JsonObject value, JsonSerializerOptions options) =>
            throw new NotSupportedException("a manifest read without its config is not written back");
    }

    private static void UseSetters(JsonTypeInfo info)
    {
        if (info.Kind == JsonTypeInfoKind.Object && Factories.TryGetValue(info.Type, out var factory)) info.CreateObject = factory;
    }
}
