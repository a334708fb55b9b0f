using Waybill.Media.Model;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// The stretch of audio decoded for one VAD segment: the segment with up to <c>context</c> seconds of audio on each
/// side, never reaching into the neighbouring segments. Recognisers need a little silence around speech: with VAD's
/// tight 30 ms padding PocketSphinx got 32 % of a test set's words wrong, with 0.25 s of context 17 %.
/// </summary>
public readonly record struct DecodeWindow(double Start, double End)
{
    public static DecodeWindow For(IReadOnlyList<SpeechSegment> segments, int index, double context, double duration)
    {
        var segment = segments[index];
        var previousEnd = index > 0 ? Math.Min(segments[index - 1].End, segment.Start) : 0;
        var nextStart = index + 1 < segments.Count ? Math.Max(segments[index + 1].Start, segment.End) : duration;
        var start = Math.Max(Math.Max(segment.Start - context, previousEnd), 0);
        var end = Math.Min(Math.Min(segment.End + context, nextStart), Math.Max(duration, segment.End));
        return new DecodeWindow(start, end);
    }

    /// <summary>
    /// Words with times relative to the window, in absolute time. A word that overlaps the segment is clamped to it
    /// (decoders like to stretch a word's edge into the silence beside it); a word wholly in the context is speech the
    /// VAD missed and keeps its time, and the transcript segment widens to hold it.
    /// </summary>
    public List<Word> Place(IEnumerable<Word> words, SpeechSegment segment)
    {
        var result = new List<Word>();
        foreach (var w in words)
        {
            var (start, end) = (Math.Clamp(Start + w.Start, Start, End), Math.Clamp(Start + w.End, Start, End));
            if (end > segment.Start && start < segment.End)
                (start, end) = (Math.Max(start, segment.Start), Math.Min(end, segment.End));
            result.Add(w with { Start = Math.Round(start, 3), End = Math.Round(end, 3) });
        }
        return result;
    }
}
