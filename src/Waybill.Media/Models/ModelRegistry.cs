namespace Waybill.Media.Models;

/// <summary>Every model Waybill knows by name, with the checksum pinned for each.</summary>
public static class ModelRegistry
{
    private const string WhisperSource = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/";

    private static readonly string[] WhisperNames =
    [
        "tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en", "large-v3", "large-v3-turbo",
    ];

    public static IReadOnlyList<KnownModel> All { get; } = [.. WhisperNames.Select(Whisper)];

    /// <summary>The model with this id (<c>whisper:base.en</c>), or null.</summary>
    public static KnownModel? Find(string id) => All.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal));

    /// <summary>The Whisper model of this name (<c>base.en</c>), or null.</summary>
    public static KnownModel? FindWhisper(string name) =>
        All.FirstOrDefault(m => m.Kind == ModelKind.Whisper && string.Equals(m.Name, name, StringComparison.Ordinal));

    /// <summary>whisper.cpp's file name for a model name: <c>ggml-base.en.bin</c>.</summary>
    public static string WhisperFileName(string name) => $"ggml-{name}.bin";

    private static KnownModel Whisper(string name) =>
        new(ModelKind.Whisper, name, WhisperFileName(name), new Uri(WhisperSource + WhisperFileName(name)), Sha256: null, SizeBytes: null);
}
