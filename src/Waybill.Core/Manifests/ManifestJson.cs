using System.Text.Json;
using System.Text.Json.Serialization;

namespace Waybill.Core.Manifests;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(StageManifest))]
[JsonSerializable(typeof(JobManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;

/// <summary>Reads and writes manifests; writes are atomic.</summary>
public static class ManifestJson
{
    // Commands and paths stay readable in the file: '>' rather than \u003E. The encoder is the writer's, not the options':
    // options with their own encoder would turn off the generated fast path, which writes a manifest several times faster.
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Serialize(StageManifest manifest) => Serialize(manifest, ManifestJsonContext.Default.StageManifest);

    public static byte[] Serialize(JobManifest manifest) => Serialize(manifest, ManifestJsonContext.Default.JobManifest);

    /// <summary>
    /// The job manifest into <paramref name="buffer"/>, emptied first. A run writes it several times: a buffer kept
    /// for all of them spares each write the doubling copies of a fresh one (47 MB for 100,000 stage runs, whose
    /// freshly allocated pages the kernel zeroed: the largest share of a no-op rerun's time there, perf).
    /// </summary>
    public static ReadOnlySpan<byte> Serialize(JobManifest manifest, System.Buffers.ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            JsonSerializer.Serialize(writer, manifest, ManifestJsonContext.Default.JobManifest);
        return buffer.WrittenSpan;
    }

    private static byte[] Serialize<T>(T manifest, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) JsonSerializer.Serialize(writer, manifest, info);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(string path, StageManifest manifest) => IO.AtomicFile.WriteAllBytes(path, SerializeOnThisThread(manifest));

    /// <summary>Writes the manifest atomically and returns the checksum of the bytes written.</summary>
    public static string Write(string path, StageManifest manifest, Hashing.ChecksumAlgorithm algorithm)
    {
        var bytes = SerializeOnThisThread(manifest);
        IO.AtomicFile.WriteAllBytes(path, bytes);
        return Hashing.ContentHash.Of(algorithm, bytes);
    }

    // A buffer and a writer per thread for the stage manifests it writes, one per stage run: each had a new 4 KB buffer, a
    // new writer and a copy of what was written. A buffer grown past LargestKept by a large manifest is not kept.
    private const int LargestKept = 1 << 20;
    [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary>The manifest's bytes, valid until this thread serializes the next one.</summary>
    private static ReadOnlySpan<byte> SerializeOnThisThread(StageManifest manifest)
    {
        var buffer = t_buffer ??= new System.Buffers.ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        JsonSerializer.Serialize(writer, manifest, ManifestJsonContext.Default.StageManifest);
        writer.Flush();
        if (buffer.Capacity > LargestKept) (t_buffer, t_writer) = (null, null);
        return buffer.WrittenSpan;
    }

    public static void Write(string path, JobManifest manifest) => IO.AtomicFile.WriteAllBytes(path, Serialize(manifest));

    /// <summary>The read options of the native build; the JIT build's tests read through them too.</summary>
    internal static JsonSerializerOptions GeneratedReadOptions { get; } = new(ManifestJsonContext.Default.Options)
    {
        TypeInfoResolver = ManifestReadContract.Resolver,
    };

    // Reads go through the reflection resolver: measured 2-3x faster than the generated metadata on cold start,
    // which is what a no-op rerun of a thousand stages pays for.
    // The native build has no reflection: it reads through the generated metadata, its objects made by their
    // parameterless constructors (ManifestReadContract).
    private static readonly JsonSerializerOptions ReadOptions =
        System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? ReflectionReadOptions() : GeneratedReadOptions;

    private static readonly Lazy<JsonSerializerOptions> ReadOptionsWithoutConfig = new(() => new JsonSerializerOptions(ReadOptions)
    {
        TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.WithAddedModifier(ReadOptions.TypeInfoResolver!,
            ManifestReadContract.LeaveConfig),
    });

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only where dynamic code is supported (the JIT build), which keeps every type.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Guarded by RuntimeFeature.IsDynamicCodeSupported.")]
    private static JsonSerializerOptions ReflectionReadOptions() => new(ManifestJsonContext.Default.Options)
    {
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver { Modifiers = { RepeatedString.UseFor } },
    };

    public static StageManifest ReadStage(string path) => ReadStage(path, ManifestLimits.ReadBytes(path), withoutConfig: false);

    /// <summary>The stage manifest and the checksum of the bytes it was read from: what the job manifest seals it with.</summary>
    public static StageManifest ReadStage(string path, Hashing.ChecksumAlgorithm algorithm, out string checksum) =>
        ReadStage(path, ManifestLimits.ReadBytes(path), algorithm, out checksum);

    /// <summary>
    /// The stage manifest in <paramref name="bytes"/>, read from <paramref name="path"/>, and their checksum; with
    /// <paramref name="withoutConfig"/> its <c>config</c> is left unread (<see cref="ManifestReadContract.LeaveConfig"/>).
    /// </summary>
    internal static StageManifest ReadStage(string path, ReadOnlySpan<byte> bytes, Hashing.ChecksumAlgorithm algorithm, out string checksum,
        bool withoutConfig = false)
    {
        var manifest = ReadStage(path, bytes, withoutConfig);
        checksum = Hashing.ContentHash.Of(algorithm, bytes);
        return manifest;
    }

    /// <summary>
    /// Read by <see cref="Reading.StageManifestReader"/> where it can (every manifest the writer wrote), else by the generated
    /// reader, which reads it or says why not.
    /// </summary>
    private static StageManifest ReadStage(string path, ReadOnlySpan<byte> bytes, bool withoutConfig)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes) && Reading.StageManifestReader.TryRead(bytes, withoutConfig) is { } manifest)
        {
            if (manifest.SchemaVersion != StageManifest.CurrentSchemaVersion) RefuseNewerSchema(path, bytes);
            return manifest;
        }
        var options = withoutConfig ? ReadOptionsWithoutConfig.Value : ReadOptions;
        return Read(path, bytes, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<StageManifest>)options.GetTypeInfo(typeof(StageManifest)));
    }

    /// <summary>Read by <see cref="Reading.JobManifestReader"/> where it can, else by the generated reader.</summary>
    public static JobManifest ReadJob(string path)
    {
        var bytes = ManifestLimits.ReadBytes(path);
        if (System.Text.Unicode.Utf8.IsValid(bytes) && Reading.JobManifestReader.TryRead(bytes) is { } job)
        {
            if (job.SchemaVersion != StageManifest.CurrentSchemaVersion) RefuseNewerSchema(path, bytes);
            return job;
        }
        return Read(path, bytes, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<JobManifest>)ReadOptions.GetTypeInfo(typeof(JobManifest)));
    }

    public static bool TryReadStage(string path, out StageManifest? manifest)
    {
        try
        {
            manifest = File.Exists(path) ? ReadStage(path) : null;
            return manifest is not null;
        }
        catch (ManifestFormatException)
        {
            manifest = null;
            return false;
        }
    }

    internal static T Read<T>(string path, ReadOnlySpan<byte> bytes, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info)
    {
        if (InvalidUtf8At(bytes) is { } bad)
            throw new ManifestFormatException(path, $"not a valid manifest at line {bad.Line}, byte {bad.Byte}: the bytes there are not UTF-8 text");
        try
        {
            var manifest = JsonSerializer.Deserialize(bytes, info) ?? throw new ManifestFormatException(path, "the file holds JSON null");
            RefuseNewerSchema(path, bytes);
            return manifest;
        }
        catch (JsonException e)
        {
            RefuseNewerSchema(path, bytes);
            if (ManifestFieldError.Explain(path, bytes.ToArray(), e, info) is { } fieldError) throw fieldError;
            var where = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
            var field = string.IsNullOrEmpty(e.Path) ? "" : $" (field {e.Path})";
            throw new ManifestFormatException(path, $"not a valid manifest{where}{field}: {e.Message}");
        }
    }

    /// <summary>
    /// Where the first byte that is not UTF-8 is (1-based line and byte), or null. The JSON reader finds it too, but
    /// only inside a string it is asked for, and then it throws outside its own exception type.
    /// </summary>
    private static (int Line, int Byte)? InvalidUtf8At(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return null;
        var buffer = new char[bytes.Length];
        System.Text.Unicode.Utf8.ToUtf16(bytes, buffer, out var valid, out _, replaceInvalidSequences: false);
        var before = bytes[..valid];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return (before.Count((byte)'\n') + 1, valid - lineStart + 1);
    }

    /// <summary>A manifest of a newer major schema version is refused by name, not misread: its fields may mean something else.</summary>
    private static void RefuseNewerSchema(string path, ReadOnlySpan<byte> bytes)
    {
        string? version = null;
        try
        {
            var reader = new Utf8JsonReader(bytes);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.CurrentDepth >= 1)
                {
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("schema_version"u8))
                    {
                        reader.Read();
                        version = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    }
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return;
        }
        // Nearly every manifest read is of this version: answered without taking the two versions apart.
        if (version is null || version == StageManifest.CurrentSchemaVersion) return;
        var major = version.Split('.')[0];
        var ours = StageManifest.CurrentSchemaVersion.Split('.')[0];
        if (int.TryParse(major, out var theirs) && int.TryParse(ours, out var current) && theirs > current)
            throw new ManifestVersionException(path, $"field schema_version is \"{version}\": written by a newer Waybill; this one reads {current}.x. Upgrade waybill to read this job.");
    }
}

public class ManifestFormatException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string ManifestPath { get; } = path;
}

/// <summary>A manifest written by a newer Waybill (a higher major schema version): never read, never overwritten.</summary>
public sealed class ManifestVersionException(string path, string reason) : ManifestFormatException(path, reason);
