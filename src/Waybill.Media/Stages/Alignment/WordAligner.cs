using Waybill.Media.Model;

namespace Waybill.Media.Stages.Alignment;

/// <summary>One line of transcript.txt: a segment's aligned span and its text.</summary>
public sealed record TranscriptLine(int Segment, double Start, double End, string Text);

/// <summary>The aligned words, the transcript lines, and what had to be changed to get there.</summary>
public sealed record AlignmentResult(WordTimeline Timeline, List<TranscriptLine> Lines, int Clamped, int Interpolated, int Reordered)
{
    public int Words => Timeline.Words.Count;
}

/// <summary>
/// Puts a transcript's words on one absolute, ordered timeline that agrees with VAD:
/// <list type="number">
/// <item>words without usable times (missing, negative, end before start, or no word list at all) get times shared
/// out by character length over the gap between their timed neighbours, or over their segment;</item>
/// <item>each word is clamped into the speech region it overlaps most, or moved just inside the nearest one;</item>
/// <item>words are made monotonic and non-overlapping in transcript order (a word starts no earlier than the
/// previous one ends).</item>
/// </list>
/// </summary>
public static class WordAligner
{
    /// <summary>Changes smaller than this (rounding) do not count as clamping.</summary>
    private const double Tolerance = 0.0005;

    private sealed class Draft(string text, double start, double end, double confidence, int segment, bool timed)
    {
        public string Text { get; } = text;
        public double Start { get; set; } = start;
        public double End { get; set; } = end;
        public double Confidence { get; } = confidence;
        public int Segment { get; } = segment;
        public bool Timed { get; } = timed;
        public int Region { get; set; } = -1;
        public bool Clamped { get; set; }
    }

    public static AlignmentResult Align(Transcript transcript, IReadOnlyList<SpeechSegment> speech)
    {
        var regions = speech.Where(s => double.IsFinite(s.Start) && double.IsFinite(s.End) && s.End >= s.Start).OrderBy(s => s.Start).ToList();
        var segments = transcript.Segments.OrderBy(s => SegmentBounds(s).Start).ToList();
        var drafts = new List<Draft>();
        var interpolated = 0;
        var segmentSpans = new List<(TranscriptSegment Segment, int First, int Count)>();

        foreach (var segment in segments)
        {
            var words = WordsOf(segment);
            interpolated += Interpolate(words, SegmentBounds(segment));
            segmentSpans.Add((segment, drafts.Count, words.Count));
            drafts.AddRange(words);
        }

        var clamped = 0;
        foreach (var word in drafts)
        {
            if (regions.Count == 0) break;
            if (Clamp(word, regions)) clamped++;
        }

        // Rounded first, so that the order enforced below survives the rounding.
        var reordered = 0;
        var previousEnd = 0.0;
        foreach (var word in drafts)
        {
            var start = Math.Max(Math.Round(word.Start, 3), previousEnd);
            var end = Math.Max(Math.Round(word.End, 3), start);
            if (start - Math.Round(word.Start, 3) > Tolerance || end - Math.Round(word.End, 3) > Tolerance) reordered++;
            (word.Start, word.End) = (start, end);
            previousEnd = end;
        }

        var lines = new List<TranscriptLine>();
        foreach (var (segment, first, count) in segmentSpans)
        {
            var text = NormaliseText(segment.Text);
            if (text.Length == 0) text = string.Join(' ', drafts.Skip(first).Take(count).Select(w => w.Text));
            if (text.Length == 0) continue;
            var (start, end) = count > 0 ? (drafts[first].Start, drafts[first + count - 1].End) : SegmentBounds(segment);
            lines.Add(new TranscriptLine(segment.Id, start, end, text));
        }

        var timeline = new WordTimeline
        {
            Language = transcript.Language,
            Words = [.. drafts.Select(w => new AlignedWord(w.Text, w.Start, w.End, Math.Round(w.Confidence, 4), w.Segment, w.Region, w.Clamped))],
        };
        return new AlignmentResult(timeline, lines, clamped, interpolated, reordered);
    }

    private static bool HasTime(double start, double end) =>
        double.IsFinite(start) && double.IsFinite(end) && start >= 0 && end > 0 && end >= start;

    /// <summary>The segment's own span when usable, else the span of its timed words, else (0, 0).</summary>
    private static (double Start, double End) SegmentBounds(TranscriptSegment segment)
    {
        if (HasTime(segment.Start, segment.End)) return (segment.Start, segment.End);
        var timed = segment.Words.Where(w => HasTime(w.Start, w.End)).ToList();
        if (timed.Count > 0) return (timed.Min(w => w.Start), timed.Max(w => w.End));
        var start = double.IsFinite(segment.Start) ? Math.Max(0, segment.Start) : 0;
        return (start, start);
    }

    /// <summary>The segment's words; a segment with text but no word list is split on white space, all untimed.</summary>
    private static List<Draft> WordsOf(TranscriptSegment segment)
    {
        if (segment.Words.Count > 0)
            return [.. segment.Words.Where(w => !string.IsNullOrWhiteSpace(w.Text))
                .Select(w => new Draft(w.Text.Trim(), w.Start, w.End, double.IsFinite(w.Confidence) ? w.Confidence : 0, segment.Id, HasTime(w.Start, w.End)))];
        var confidence = segment.Confidence is { } c && double.IsFinite(c) ? c : 0;
        return [.. segment.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(token => new Draft(token, double.NaN, double.NaN, confidence, segment.Id, false))];
    }

    /// <summary>Gives each run of untimed words the gap between its timed neighbours (or the segment's edges), shared by length.</summary>
    private static int Interpolate(List<Draft> words, (double Start, double End) bounds)
    {
        var count = 0;
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i].Timed) continue;
            var last = i;
            while (last + 1 < words.Count && !words[last + 1].Timed) last++;
            var from = i > 0 ? words[i - 1].End : bounds.Start;
            var to = last + 1 < words.Count ? words[last + 1].Start : Math.Max(bounds.End, from);
            if (to < from) to = from;
            var total = 0.0;
            for (var k = i; k <= last; k++) total += Math.Max(1, words[k].Text.Length);
            var at = 0.0;
            for (var k = i; k <= last; k++)
            {
                var weight = Math.Max(1, words[k].Text.Length);
                words[k].Start = from + (to - from) * at / total;
                words[k].End = from + (to - from) * (at + weight) / total;
                at += weight;
                count++;
            }
            i = last;
        }
        return count;
    }

    /// <summary>Clamps the word into the region it overlaps most, or moves it just inside the nearest one; true when it moved.</summary>
    private static bool Clamp(Draft word, List<SpeechSegment> regions)
    {
        var best = -1;
        var bestOverlap = 0.0;
        var nearest = 0;
        var nearestDistance = double.MaxValue;
        for (var r = 0; r < regions.Count; r++)
        {
            var overlap = Math.Min(word.End, regions[r].End) - Math.Max(word.Start, regions[r].Start);
            if (overlap > bestOverlap)
            {
                (best, bestOverlap) = (r, overlap);
            }
            var distance = Math.Max(0, Math.Max(regions[r].Start - word.End, word.Start - regions[r].End));
            if (distance < nearestDistance) (nearest, nearestDistance) = (r, distance);
        }
        var region = regions[best >= 0 ? best : nearest];
        word.Region = best >= 0 ? best : nearest;

        double start, end;
        if (best >= 0)
        {
            start = Math.Max(word.Start, region.Start);
            end = Math.Min(word.End, region.End);
        }
        else
        {
            // No overlap: keep the word's length (as far as the region allows) at the region's near edge.
            var length = Math.Min(word.End - word.Start, region.End - region.Start);
            (start, end) = word.End <= region.Start ? (region.Start, region.Start + length)
                : word.Start >= region.End ? (region.End - length, region.End)
                : (word.Start, word.End);   // a zero-length word inside the region
        }
        word.Clamped = Math.Abs(start - word.Start) > Tolerance || Math.Abs(end - word.End) > Tolerance;
        (word.Start, word.End) = (start, end);
        return word.Clamped;
    }

    private static string NormaliseText(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
