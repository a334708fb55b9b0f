using Waybill.Media.Model;
using Waybill.Media.Stages.Alignment;
using Xunit;

namespace Waybill.Media.Tests.Alignment;

/// <summary>Clamping, interpolation and ordering of word times.</summary>
public sealed class WordAlignerTests
{
    private static TranscriptSegment Segment(int id, double start, double end, string text, params Word[] words) =>
        new() { Id = id, Start = start, End = end, Text = text, Words = [.. words], Confidence = 0.8 };

    private static Transcript Transcript(params TranscriptSegment[] segments) => new() { Language = "de", Segments = [.. segments] };

    private static SpeechSegment Speech(double start, double end) => new(start, end, 0.9);

    private static void AssertOrdered(List<AlignedWord> words)
    {
        for (var i = 0; i < words.Count; i++)
        {
            Assert.True(words[i].End >= words[i].Start, $"word {i} '{words[i].Text}' ends before it starts");
            if (i > 0) Assert.True(words[i].Start >= words[i - 1].End, $"word {i} '{words[i].Text}' overlaps the one before");
        }
    }

    [Fact]
    public void Words_inside_speech_are_left_alone()
    {
        var result = WordAligner.Align(
            Transcript(Segment(0, 1.0, 2.0, "hello there", new Word("hello", 1.1, 1.4, 0.9), new Word("there", 1.5, 1.9, 0.7))),
            [Speech(0.9, 2.1)]);
        Assert.Equal([new AlignedWord("hello", 1.1, 1.4, 0.9, 0, 0, false), new AlignedWord("there", 1.5, 1.9, 0.7, 0, 0, false)], result.Timeline.Words);
        Assert.Equal(0, result.Clamped);
        Assert.Equal(0, result.Interpolated);
        Assert.Equal("de", result.Timeline.Language);
    }

    [Fact]
    public void A_word_sticking_out_of_its_region_is_cut_to_it()
    {
        var result = WordAligner.Align(
            Transcript(Segment(3, 0.5, 2.5, "one two", new Word("one", 0.5, 1.2, 0.9), new Word("two", 1.3, 2.5, 0.9))),
            [Speech(1.0, 2.0), Speech(4.0, 5.0)]);
        var words = result.Timeline.Words;
        Assert.Equal((1.0, 1.2, 0, true), (words[0].Start, words[0].End, words[0].SpeechRegion, words[0].Clamped));
        Assert.Equal((1.3, 2.0, 0, true), (words[1].Start, words[1].End, words[1].SpeechRegion, words[1].Clamped));
        Assert.Equal(3, words[0].Segment);
        Assert.Equal(2, result.Clamped);
    }

    [Fact]
    public void A_word_spanning_two_regions_goes_to_the_one_it_overlaps_most()
    {
        var result = WordAligner.Align(
            Transcript(Segment(0, 0, 4, "long", new Word("long", 1.8, 3.0, 0.9))),
            [Speech(0.0, 2.0), Speech(2.5, 4.0)]);
        var word = Assert.Single(result.Timeline.Words);
        Assert.Equal((2.5, 3.0, 1, true), (word.Start, word.End, word.SpeechRegion, word.Clamped));
    }

    [Fact]
    public void A_word_outside_all_speech_moves_into_the_nearest_region_keeping_its_length()
    {
        var result = WordAligner.Align(
            Transcript(
                Segment(0, 2.2, 2.6, "early", new Word("early", 2.2, 2.4, 0.9)),
                Segment(1, 9.0, 9.5, "late", new Word("late", 9.0, 9.3, 0.9))),
            [Speech(0.5, 2.0), Speech(3.0, 4.0), Speech(7.0, 8.0)]);
        var words = result.Timeline.Words;
        // 2.2-2.4 is 0.2 s after region 0 and 0.6 s before region 1: into region 0, at its end.
        Assert.Equal((1.8, 2.0, 0, true), (words[0].Start, words[0].End, words[0].SpeechRegion, words[0].Clamped));
        Assert.Equal((7.7, 8.0, 2, true), (words[1].Start, words[1].End, words[1].SpeechRegion, words[1].Clamped));
    }

    [Fact]
    public void Words_without_times_share_their_segment_by_length()
    {
        // No word list at all: the text is split and spread over the segment (1.0 to 3.0 s, 10 characters).
        var result = WordAligner.Align(Transcript(Segment(0, 1.0, 3.0, "ab  abcd\nabcd")), [Speech(0.0, 5.0)]);
        var words = result.Timeline.Words;
        Assert.Equal(["ab", "abcd", "abcd"], words.Select(w => w.Text));
        Assert.Equal([1.0, 1.4, 2.2], words.Select(w => w.Start));
        Assert.Equal([1.4, 2.2, 3.0], words.Select(w => w.End));
        Assert.All(words, w => Assert.Equal(0.8, w.Confidence));
        Assert.Equal(3, result.Interpolated);
        Assert.Equal("ab abcd abcd", Assert.Single(result.Lines).Text);
    }

    [Fact]
    public void Untimed_words_fill_the_gap_between_their_timed_neighbours()
    {
        var result = WordAligner.Align(
            Transcript(Segment(0, 0.0, 10.0, "a bb cc d",
                new Word("a", 1.0, 2.0, 0.9),
                new Word("bb", double.NaN, double.NaN, 0.5),
                new Word("cc", -1, -1, 0.5),
                new Word("d", 4.0, 5.0, 0.9),
                new Word("eeee", 0, 0, 0.4))),
            []);
        var words = result.Timeline.Words;
        Assert.Equal([1.0, 2.0, 3.0, 4.0, 5.0], words.Select(w => w.Start));
        Assert.Equal([2.0, 3.0, 4.0, 5.0, 10.0], words.Select(w => w.End));
        Assert.Equal(3, result.Interpolated);
        Assert.All(words, w => Assert.Equal(-1, w.SpeechRegion));
        Assert.Equal(0, result.Clamped);
    }

    [Fact]
    public void Overlapping_and_backwards_times_become_monotonic()
    {
        var result = WordAligner.Align(
            Transcript(
                Segment(0, 1.0, 3.0, "x y z", new Word("x", 1.0, 2.0, 0.9), new Word("y", 1.5, 2.5, 0.9), new Word("z", 1.2, 1.4, 0.9)),
                Segment(1, 2.0, 4.0, "w", new Word("w", 2.0, 3.0, 0.9))),
            []);
        var words = result.Timeline.Words;
        AssertOrdered(words);
        Assert.Equal([1.0, 2.0, 2.5, 2.5], words.Select(w => w.Start));
        Assert.Equal([2.0, 2.5, 2.5, 3.0], words.Select(w => w.End));
        Assert.Equal(3, result.Reordered);
    }

    [Fact]
    public void Segments_out_of_order_are_sorted_by_time()
    {
        var result = WordAligner.Align(
            Transcript(Segment(1, 5.0, 6.0, "later", new Word("later", 5.0, 6.0, 0.9)), Segment(0, 1.0, 2.0, "first", new Word("first", 1.0, 2.0, 0.9))),
            [Speech(0.5, 6.5)]);
        Assert.Equal(["first", "later"], result.Timeline.Words.Select(w => w.Text));
        Assert.Equal([0, 1], result.Lines.Select(l => l.Segment));
    }

    [Fact]
    public void Clamping_never_breaks_the_order_of_many_messy_words()
    {
        var random = new Random(11);
        var segments = new List<TranscriptSegment>();
        for (var s = 0; s < 40; s++)
        {
            var start = s * 3.0;
            var words = Enumerable.Range(0, 6).Select(i =>
            {
                var at = start + i * 0.4 + (random.NextDouble() - 0.5);
                return random.Next(5) == 0 ? new Word("w" + i, double.NaN, 0, 0.5) : new Word("w" + i, at, at + random.NextDouble() * 0.8, 0.9);
            }).ToArray();
            segments.Add(Segment(s, start, start + 2.5, "", words));
        }
        var speech = Enumerable.Range(0, 40).Select(s => Speech(s * 3.0 + 0.2, s * 3.0 + 2.2)).ToList();
        var result = WordAligner.Align(Transcript([.. segments]), speech);
        Assert.Equal(240, result.Words);
        AssertOrdered(result.Timeline.Words);
        Assert.True(result.Clamped > 0);
        Assert.True(result.Interpolated > 0);
        Assert.All(result.Timeline.Words, w => Assert.InRange(w.SpeechRegion, 0, 39));
    }

    [Fact]
    public void An_empty_transcript_gives_no_words_and_no_lines()
    {
        var result = WordAligner.Align(new Transcript(), [Speech(1, 2)]);
        Assert.Empty(result.Timeline.Words);
        Assert.Empty(result.Lines);
        Assert.Equal((0, 0, 0), (result.Clamped, result.Interpolated, result.Reordered));
        Assert.Empty(WordAligner.Align(Transcript(Segment(0, 1, 2, "   ")), []).Lines);
    }

    [Fact]
    public void Lines_span_their_aligned_words_and_are_formatted_with_hours()
    {
        var result = WordAligner.Align(
            Transcript(
                Segment(0, 3599.5, 3601.25, " Over  the\thour ", new Word("Over", 3599.5, 3600.0, 0.9), new Word("the", 3600.0, 3600.4, 0.9), new Word("hour", 3600.5, 3601.25, 0.9)),
                Segment(1, 3700, 3702, "No words here")),
            [Speech(3599.6, 3601.0), Speech(3700.0, 3702.0)]);
        Assert.Equal(
            "[00:59:59.600 --> 01:00:01.000] Over the hour\n[01:01:40.000 --> 01:01:42.000] No words here\n",
            TranscriptText.Format(result.Lines));
        Assert.Equal("100:00:00.000", TranscriptText.Time(360000));
        Assert.Equal("00:00:00.001", TranscriptText.Time(0.0005));
    }
}
