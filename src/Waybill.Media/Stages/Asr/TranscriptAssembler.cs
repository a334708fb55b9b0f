using Waybill.Media.Model;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// Turns what a recognizer found into one <see cref="TranscriptSegment"/> per VAD segment that produced text.
/// Spans decoded from a VAD segment belong to it; words of a whole-file backend go to the VAD segment they overlap
/// most, or the nearest one (those are counted as outside speech and left to the later stages to judge).
/// </summary>
public static class TranscriptAssembler
{
    public sealed record Result(List<TranscriptSegment> Segments, int WordsOutsideSpeech);

    public static Result Assemble(IReadOnlyList<RecognizedSpan> spans, IReadOnlyList<SpeechSegment> speech)
    {
        var texts = new List<string>[speech.Count];
        var words = new List<Word>[speech.Count];
        for (var i = 0; i < speech.Count; i++)
        {
            texts[i] = [];
            words[i] = [];
        }
        var outside = 0;
        foreach (var span in spans)
        {
            if (span.Segment is { } index && index >= 0 && index < speech.Count)
            {
                if (span.Text.Trim().Length > 0) texts[index].Add(span.Text.Trim());
                words[index].AddRange(span.Words);
                continue;
            }
            // Whole-file text: the segments' text is rebuilt from their words (whisper words carry punctuation).
            foreach (var word in span.Words)
            {
                var (best, overlaps) = Nearest(word, speech);
                if (best < 0) continue;
                if (!overlaps) outside++;
                words[best].Add(word);
            }
        }

        var segments = new List<TranscriptSegment>();
        for (var i = 0; i < speech.Count; i++)
        {
            var list = words[i].OrderBy(w => w.Start).ToList();
            var text = texts[i].Count > 0 ? string.Join(' ', texts[i]) : string.Join(' ', list.Select(w => w.Text.Trim()));
            if (text.Trim().Length == 0) continue;
            segments.Add(new TranscriptSegment
            {
                Id = segments.Count,
                // The VAD segment, widened when a whole-file backend put words just outside it.
                Start = list.Count > 0 ? Math.Min(speech[i].Start, list[0].Start) : speech[i].Start,
                End = list.Count > 0 ? Math.Max(speech[i].End, list.Max(w => w.End)) : speech[i].End,
                Text = text.Trim(),
                Confidence = list.Count > 0 ? Math.Round(list.Average(w => w.Confidence), 4) : null,
                Words = list,
            });
        }
        return new Result(segments, outside);
    }

    /// <summary>The segment the word overlaps most; a negative overlap is the gap, so with none it is the nearest.</summary>
    private static (int Index, bool Overlaps) Nearest(Word word, IReadOnlyList<SpeechSegment> speech)
    {
        var best = -1;
        var bestOverlap = double.NegativeInfinity;
        for (var i = 0; i < speech.Count; i++)
        {
            var overlap = Math.Min(word.End, speech[i].End) - Math.Max(word.Start, speech[i].Start);
            if (overlap > bestOverlap)
            {
                best = i;
                bestOverlap = overlap;
            }
        }
        return (best, bestOverlap >= 0);
    }
}
