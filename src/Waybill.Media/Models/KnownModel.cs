namespace Waybill.Media.Models;

/// <summary>The kinds of model Waybill knows how to fetch and use.</summary>
public enum ModelKind
{
    Whisper,
    SileroVad,
}

/// <summary>
/// A model Waybill can fetch: its id as users type it (<c>whisper:base.en</c>), the file it is stored as in the model
/// folder, where it is published, and the SHA-256 and size every copy must have. <see cref="Source"/> is an HTTP(S) URL,
/// or <c>npm:PACKAGE@VERSION/PATH</c> for a file inside an npm package (see <see cref="NpmSource"/>).
/// </summary>
public sealed record KnownModel(ModelKind Kind, string Name, string FileName, Uri Source, string? Sha256, long? SizeBytes)
{
    public string Id => $"{Prefix(Kind)}:{Name}";

    /// <summary>Where the entry comes from: the built-in registry, or the registry file that added it.</summary>
    public string Origin { get; init; } = "built-in";

    public static string Prefix(ModelKind kind) => kind switch
    {
        ModelKind.Whisper => "whisper",
        ModelKind.SileroVad => "vad",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The kind an id prefix names (<c>whisper</c>, <c>vad</c>), or null.</summary>
    public static ModelKind? KindOf(string prefix) => prefix switch
    {
        "whisper" => ModelKind.Whisper,
        "vad" => ModelKind.SileroVad,
        _ => null,
    };
}
