using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Waybill.Core.IO;
using Waybill.Core.Stages;

namespace Waybill.Media.Model;

/// <summary>The files the subtitle stages exchange; generated (de)serializers, so the native build needs no reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(MediaMetadata))]
[JsonSerializable(typeof(Glossary))]
[JsonSerializable(typeof(Translation))]
[JsonSerializable(typeof(MusicRegions))]
[JsonSerializable(typeof(SpeechSegments))]
[JsonSerializable(typeof(SubtitleTracks))]
[JsonSerializable(typeof(Transcript))]
[JsonSerializable(typeof(WordTimeline))]
[JsonSerializable(typeof(Stages.Glossary.TmdbFile))]
[JsonSerializable(typeof(Stages.Tmdb.TmdbResult))]
[JsonSerializable(typeof(Stages.Hallucinations.RemovalReport))]
[JsonSerializable(typeof(Stages.Asr.AsrTranscript))]
[JsonSerializable(typeof(Sample.SampleTruth))]
internal sealed partial class MediaJsonContext : JsonSerializerContext;

/// <summary>How the subtitle stages read and write their JSON files: snake_case, indented, written atomically.</summary>
public static class MediaJson
{
    public static readonly JsonSerializerOptions Options = new(MediaJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The generated metadata of a file type (every type passed to Read and Write is listed on <see cref="MediaJsonContext"/>).</summary>
    private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> Info<T>() =>
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    public static void Write<T>(string path, T value) =>
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(value, Info<T>()));

    /// <summary>Reads a stage file; a missing or malformed one fails the stage with the path and the reason.</summary>
    public static T Read<T>(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, Info<T>())
                ?? throw new StageFailedException($"{path} holds null, not a {typeof(T).Name}");
        }
        catch (JsonException e)
        {
            throw new StageFailedException($"{path} is not a valid {typeof(T).Name} file: {e.Message} (line {e.LineNumber + 1})", e);
        }
        catch (IOException e)
        {
            throw new StageFailedException($"cannot read {path}: {e.Message}", e);
        }
    }
}
