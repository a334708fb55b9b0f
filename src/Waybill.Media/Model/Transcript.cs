namespace Waybill.Media.Model;

/// <summary>A recognised word with its time in seconds from the start of the audio.</summary>
public sealed record Word(string Text, double Start, double End, double Confidence);

/// <summary>A recognised stretch of text (usually one VAD segment).</summary>
public sealed class TranscriptSegment
{
    public int Id { get; init; }
    public double Start { get; init; }
    public double End { get; init; }
    public string Text { get; init; } = "";
    public double? Confidence { get; init; }
    public List<Word> Words { get; init; } = [];
    /// <summary>True when the segment lies in a music/singing region (subtitles mark it with ♪).</summary>
    public bool Lyrics { get; init; }
}

/// <summary><c>06_asr/segments.json</c> and <c>09_hallucination_removal/segments.json</c>.</summary>
public sealed class Transcript
{
    public string Backend { get; init; } = "";
    public string Language { get; init; } = "en";
    public double Duration { get; init; }
    public List<TranscriptSegment> Segments { get; init; } = [];
}
