namespace Waybill.Media.Model;

/// <summary>One stretch of speech found by VAD, in seconds from the start of the audio.</summary>
public sealed record SpeechSegment(double Start, double End, double Probability)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public double Duration => End - Start;
}

/// <summary><c>05_vad/segments.json</c>: where speech is, and the settings that found it.</summary>
public sealed class SpeechSegments
{
    public string Model { get; init; } = "silero_vad";
    public int SampleRate { get; init; }
    public double Duration { get; init; }
    public double Threshold { get; init; }
    public int MinSpeechMs { get; init; }
    public int MinSilenceMs { get; init; }
    public int SpeechPadMs { get; init; }
    public List<SpeechSegment> Segments { get; init; } = [];
}
