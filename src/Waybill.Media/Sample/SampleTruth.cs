namespace Waybill.Media.Sample;

/// <summary>A span of the sample with what is in it (the spoken sentence, or empty for music).</summary>
public sealed record TruthSpan(double Start, double End, string Text);

/// <summary><c>truth.json</c> beside the generated sample: where speech and music really are, and what is said.</summary>
public sealed class SampleTruth
{
    public double Duration { get; init; }
    public int SampleRate { get; init; }
    public List<TruthSpan> Speech { get; init; } = [];
    public List<TruthSpan> Music { get; init; } = [];
    public string Script => string.Join(' ', Speech.Select(s => s.Text));
}
