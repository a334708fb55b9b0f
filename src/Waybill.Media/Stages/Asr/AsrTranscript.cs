using Waybill.Media.Model;

namespace Waybill.Media.Stages.Asr;

/// <summary>One segment's text in <c>06_asr/transcript.json</c>.</summary>
public sealed record AsrTranscriptSegment(int Id, double Start, double End, string Text);

/// <summary><c>06_asr/transcript.json</c>: the text to read, and what recognised it. Word times are in <c>segments.json</c>.</summary>
public sealed record AsrTranscript(string Text, string Language, string Backend, string Model, int WordCount, int SegmentCount, List<AsrTranscriptSegment> Segments)
{
    public static AsrTranscript From(Transcript transcript, string model) => new(
        string.Join(' ', transcript.Segments.Select(s => s.Text)),
        transcript.Language,
        transcript.Backend,
        model,
        transcript.Segments.Sum(s => s.Words.Count),
        transcript.Segments.Count,
        [.. transcript.Segments.Select(s => new AsrTranscriptSegment(s.Id, s.Start, s.End, s.Text))]);
}
