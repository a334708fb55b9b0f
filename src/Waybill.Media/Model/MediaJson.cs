using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Waybill.Core.IO;
using Waybill.Core.Stages;

namespace Waybill.Media.Model;

/// <summary>How the subtitle stages read and write their JSON files: snake_case, indented, written atomically.</summary>
public static class MediaJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write<T>(string path, T value) =>
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(value, Options));

    /// <summary>Reads a stage file; a missing or malformed one fails the stage with the path and the reason.</summary>
    public static T Read<T>(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<T>(stream, Options)
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
