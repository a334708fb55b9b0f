namespace Waybill.Media.Model;

/// <summary>One transcript segment in the target language.</summary>
public sealed record TranslatedSegment(int Id, double Start, double End, string Text, string SourceText);

/// <summary><c>10_translation/translation.json</c>.</summary>
public sealed class Translation
{
    public string SourceLanguage { get; init; } = "en";
    public string TargetLanguage { get; init; } = "";
    public string Model { get; init; } = "";
    public List<TranslatedSegment> Segments { get; init; } = [];
}
