namespace Waybill.Media.Model;

/// <summary>A word in absolute time, with the transcript segment and speech region it belongs to.</summary>
public sealed record AlignedWord(string Text, double Start, double End, double Confidence, int Segment, int SpeechRegion, bool Clamped);

/// <summary><c>07_alignment/words.json</c>.</summary>
public sealed class WordTimeline
{
    public string Language { get; init; } = "en";
    public List<AlignedWord> Words { get; init; } = [];
}
