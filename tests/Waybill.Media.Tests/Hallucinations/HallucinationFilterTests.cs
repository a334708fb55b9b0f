using Waybill.Media.Model;
using Waybill.Media.Stages.Hallucinations;
using Xunit;

namespace Waybill.Media.Tests.Hallucinations;

/// <summary>Each rule on its own, and clean speech passing untouched.</summary>
public sealed class HallucinationFilterTests
{
    /// <summary>A segment whose words are spoken one after another, <paramref name="wordSeconds"/> each with 50 ms between.</summary>
    internal static TranscriptSegment Segment(int id, double start, string text, double wordSeconds = 0.3)
    {
        var words = new List<Word>();
        var t = start;
        foreach (var token in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            words.Add(new Word(token, Math.Round(t, 3), Math.Round(t + wordSeconds, 3), 0.9));
            t += wordSeconds + 0.05;
        }
        return new TranscriptSegment { Id = id, Start = start, End = words[^1].End, Text = " " + text, Confidence = 0.9, Words = words };
    }

    internal static List<AlignedWord> Aligned(IEnumerable<TranscriptSegment> segments) =>
        [.. segments.SelectMany(s => s.Words.Select(w => new AlignedWord(w.Text, w.Start, w.End, w.Confidence, s.Id, 0, false)))];

    /// <summary>One speech region around each segment (100 ms padding, as the VAD pads).</summary>
    internal static List<SpeechSegment> SpeechAround(IEnumerable<TranscriptSegment> segments) =>
        [.. segments.Select(s => new SpeechSegment(Math.Max(0, s.Start - 0.1), s.End + 0.1, 0.9))];

    private static FilterResult Run(List<TranscriptSegment> segments, List<SpeechSegment>? speech = null, List<MusicRegion>? music = null, HallucinationOptions? options = null, List<AlignedWord>? aligned = null) =>
        new HallucinationFilter(options ?? new HallucinationOptions()).Run(
            new Transcript { Backend = "test", Language = "en", Duration = 600, Segments = segments },
            aligned ?? Aligned(segments), speech ?? SpeechAround(segments), music ?? []);

    private static List<TranscriptSegment> CleanDialogue() =>
    [
        Segment(0, 1.0, "Where were you last night?"),
        Segment(1, 3.5, "No, no, no. I was home, I swear."),
        Segment(2, 7.0, "Thank you."),
        Segment(3, 9.0, "Thank you for coming, Mr. Stark."),
        Segment(4, 12.0, "No."),
        Segment(5, 13.0, "No."),
        Segment(6, 14.0, "We need to talk about the the contract before Friday."),
        Segment(7, 19.0, "Subtitles are hard to read when they move too fast.", 0.35),
    ];

    [Fact]
    public void Clean_speech_is_kept_whole_with_its_times_ids_and_text()
    {
        var input = CleanDialogue();
        var result = Run(input);

        Assert.Empty(result.Removals);
        Assert.Equal(0, result.RemovedWords);
        Assert.All(result.Counts().Values, count => Assert.Equal(0, count));
        Assert.Equal(input.Select(s => s.Id), result.Transcript.Segments.Select(s => s.Id));
        Assert.Equal(input.Select(s => s.Text.Trim()), result.Transcript.Segments.Select(s => s.Text));
        Assert.Equal(input.SelectMany(s => s.Words), result.Transcript.Segments.SelectMany(s => s.Words));
        Assert.All(result.Transcript.Segments, s => Assert.False(s.Lyrics));
        Assert.Equal("test", result.Transcript.Backend);
    }

    [Fact]
    public void A_phrase_repeated_three_times_in_a_row_keeps_only_its_first_occurrence()
    {
        var looped = Segment(0, 1.0, "I'm going to I'm going to I'm going to I'm going to stop this.");
        var result = Run([looped]);

        var segment = Assert.Single(result.Transcript.Segments);
        Assert.Equal("I'm going to stop this.", segment.Text);
        Assert.Equal(["I'm", "going", "to", "stop", "this."], segment.Words.Select(w => w.Text));
        var removal = Assert.Single(result.Removals);
        Assert.Equal(HallucinationOptions.RepeatedPhrase, removal.Rule);
        Assert.Equal("I'm going to I'm going to I'm going to", removal.Text);
        Assert.Equal(looped.Words[3].Start, removal.Start);
        Assert.Equal(looped.Words[11].End, removal.End);
        Assert.Contains("said 4 times in a row", removal.Reason);
        Assert.Equal(9, result.RemovedWords);
        // The kept words keep their own times: the segment now ends with "this.".
        Assert.Equal(looped.Words[^1].End, segment.End);
    }

    [Fact]
    public void A_phrase_said_twice_or_a_word_said_three_times_is_speech_but_a_word_looped_five_times_is_not()
    {
        var result = Run([
            Segment(0, 1.0, "Come on, come on, let's go."),
            Segment(1, 5.0, "No, no, no!"),
            Segment(2, 8.0, "the the the the the the end"),
        ]);

        Assert.Equal(["Come on, come on, let's go.", "No, no, no!", "the end"], result.Transcript.Segments.Select(s => s.Text));
        var removal = Assert.Single(result.Removals);
        Assert.Equal((HallucinationOptions.RepeatedPhrase, 2, "the the the the the"), (removal.Rule, removal.Segment, removal.Text));
    }

    [Fact]
    public void A_segment_identical_to_the_previous_one_is_removed_and_the_first_kept()
    {
        var result = Run([
            Segment(0, 1.0, "I'll be right back."),
            Segment(1, 3.0, "I'll be right back!"),
            Segment(2, 5.0, "i'll be RIGHT back"),
            Segment(3, 7.0, "Okay."),
            Segment(4, 8.0, "Okay."),
            Segment(5, 9.0, "I'll be right back."),
        ]);

        Assert.Equal([0, 3, 4, 5], result.Transcript.Segments.Select(s => s.Id));
        Assert.Equal([1, 2], result.Removals.Select(r => r.Segment));
        Assert.All(result.Removals, r => Assert.Equal(HallucinationOptions.RepeatedSegment, r.Rule));
        Assert.Equal(2, result.RemovedSegments);
    }

    [Fact]
    public void Words_farther_than_the_tolerance_from_every_speech_region_are_removed()
    {
        var segment = Segment(0, 10.0, "you know what I mean right");
        // Speech covers "you know what" (10.00–11.00) and ends 0.25 s before "I" starts: within tolerance.
        // "mean" starts 0.6 s after the region's end and "right" 0.95 s: both go, as one removal.
        var speech = new List<SpeechSegment> { new(9.9, 10.8, 0.9) };
        var result = Run([segment], speech);

        Assert.Equal("you know what I", result.Transcript.Segments.Single().Text);
        var removal = Assert.Single(result.Removals);
        Assert.Equal((HallucinationOptions.OutsideSpeech, "mean right", 11.4, 12.05), (removal.Rule, removal.Text, removal.Start, removal.End));
        Assert.Contains("2 words lie up to 0.95 s outside speech", removal.Reason);

        var looser = Run([segment], speech, options: new HallucinationOptions { SpeechToleranceSeconds = 1.5 });
        Assert.Empty(looser.Removals);
    }

    [Fact]
    public void A_segment_entirely_outside_speech_disappears()
    {
        var result = Run([Segment(0, 1.0, "Hello there."), Segment(1, 30.0, "Ghost words.")], [new SpeechSegment(0.9, 2.0, 0.9)]);
        Assert.Equal([0], result.Transcript.Segments.Select(s => s.Id));
        Assert.Equal((HallucinationOptions.OutsideSpeech, 1, "Ghost words."), (result.Removals.Single().Rule, result.Removals.Single().Segment, result.Removals.Single().Text));
        Assert.Equal(1, result.RemovedSegments);
    }

    [Fact]
    public void Implausibly_fast_text_and_words_too_short_to_be_spoken_are_removed()
    {
        // 43 characters in 0.94 s: 46 characters per second.
        var fast = Segment(0, 1.0, "Internationalization considerations matter.", 0.28);
        var tiny = Segment(1, 5.0, "a b c", 0.01);
        var quickButShort = Segment(2, 8.0, "Go!", 0.05);
        var result = Run([fast, tiny, quickButShort]);

        Assert.Equal([2], result.Transcript.Segments.Select(s => s.Id));
        Assert.All(result.Removals, r => Assert.Equal(HallucinationOptions.Implausible, r.Rule));
        Assert.Contains("characters per second (limit 25)", result.Removals[0].Reason);
        Assert.Equal("every word is shorter than 20 ms", result.Removals[1].Reason);
    }

    [Fact]
    public void Known_phrases_go_and_sound_tags_go_outside_music_but_stay_as_lyrics_inside_it()
    {
        var result = Run(
            [
                Segment(0, 1.0, "Thanks for watching!"),
                Segment(1, 4.0, "Subtitles by the Amara.org community"),
                Segment(2, 8.0, "[Music]"),
                Segment(3, 20.0, "[Music]"),
                Segment(4, 22.0, "Thanks for the coffee."),
                Segment(5, 25.0, "♪ ♪"),
            ],
            music: [new MusicRegion(19.5, 21.0, 0.8)]);

        Assert.Equal([3, 4], result.Transcript.Segments.Select(s => s.Id));
        Assert.True(result.Transcript.Segments[0].Lyrics);
        Assert.False(result.Transcript.Segments[1].Lyrics);
        Assert.Equal([0, 1, 2, 5], result.Removals.Select(r => r.Segment));
        Assert.All(result.Removals, r => Assert.Equal(HallucinationOptions.KnownPhrase, r.Rule));
        Assert.Equal("known hallucination phrase \"thanks for watching\"", result.Removals[0].Reason);
        Assert.Equal("known hallucination phrase \"subtitles by *\"", result.Removals[1].Reason);
        Assert.Equal(4, result.Counts()[HallucinationOptions.KnownPhrase]);
    }

    [Fact]
    public void Segments_mostly_inside_music_are_lyrics()
    {
        var result = Run(
            [Segment(0, 10.0, "Never gonna give you up"), Segment(1, 20.0, "We're no strangers to love")],
            music: [new MusicRegion(9.0, 11.0, 0.9), new MusicRegion(21.5, 30.0, 0.9)]);
        // Segment 0 (10.0–11.7) is 59% music; segment 1 (20.0–21.7) only 12%.
        Assert.Equal([true, false], result.Transcript.Segments.Select(s => s.Lyrics));
    }

    [Fact]
    public void Disabled_rules_remove_nothing()
    {
        var input = new List<TranscriptSegment> { Segment(0, 1.0, "Thanks for watching!"), Segment(1, 3.0, "Thanks for watching!") };
        var result = Run(input, options: new HallucinationOptions { Rules = [HallucinationOptions.OutsideSpeech] });
        Assert.Equal(2, result.Transcript.Segments.Count);
        Assert.Empty(result.Removals);
    }

    [Fact]
    public void The_aligned_times_replace_the_asr_times_and_segments_without_aligned_words_keep_their_own()
    {
        var segments = new List<TranscriptSegment> { Segment(0, 1.0, "Hello there."), Segment(1, 3.0, "General Kenobi.") };
        var aligned = new List<AlignedWord> { new("Hello", 1.1, 1.35, 0.8, 0, 0, false), new("there.", 1.4, 1.6, 0.8, 0, 0, true) };
        var result = Run(segments, aligned: aligned);

        Assert.Equal([new Word("Hello", 1.1, 1.35, 0.8), new Word("there.", 1.4, 1.6, 0.8)], result.Transcript.Segments[0].Words);
        Assert.Equal((1.1, 1.6), (result.Transcript.Segments[0].Start, result.Transcript.Segments[0].End));
        Assert.Equal(segments[1].Words, result.Transcript.Segments[1].Words);
    }
}
