using Waybill.Media.Model;
using Waybill.Media.Stages.Subtitles;
using Xunit;

namespace Waybill.Media.Tests.Subtitles;

/// <summary>Where cues are cut, how lines break, and what happens to short, fast, long and sung cues.</summary>
public sealed class CueBehaviourTests
{
    private static readonly SubtitleRules Rules = new();

    /// <summary>Words of 0.3 s with 50 ms between them, from <paramref name="start"/>.</summary>
    internal static TranscriptSegment Spoken(int id, double start, string text, double wordSeconds = 0.3, bool lyrics = false)
    {
        var words = new List<Word>();
        var t = start;
        foreach (var token in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            words.Add(new Word(token, Math.Round(t, 3), Math.Round(t + wordSeconds, 3), 0.9));
            t += wordSeconds + 0.05;
        }
        return new TranscriptSegment { Id = id, Start = start, End = words[^1].End, Text = text, Words = words, Lyrics = lyrics };
    }

    private static SubtitleTrackCues Build(IEnumerable<TranscriptSegment> segments, List<MusicRegion>? music = null, double duration = 600) =>
        new SubtitleBuilder(Rules, music ?? []).FromTranscript(new Transcript { Language = "en", Duration = duration, Segments = [.. segments] });

    [Fact]
    public void Two_sentences_that_fit_share_a_cue_with_the_line_break_after_the_first()
    {
        var track = Build([Spoken(0, 1, "I told you to stay in the car. Why did you come back here?")]);
        var cue = Assert.Single(track.Cues);
        Assert.Equal(["I told you to stay in the car.", "Why did you come back here?"], cue.Lines);
    }

    [Fact]
    public void A_segment_too_long_for_one_cue_is_cut_after_a_sentence_end()
    {
        var track = Build([Spoken(0, 1, "We have to leave now, before the guards come back. Take only what you can carry and follow me to the boat.")]);
        Assert.Equal(["We have to leave now, before the guards come back.", "Take only what you can carry and follow me to the boat."], track.Cues.Select(c => c.Text));
        Assert.Equal(1, track.Adjustments.Split);
        Assert.Equal(["We have to leave now,", "before the guards come back."], track.Cues[0].Lines);
    }

    [Fact]
    public void Without_a_sentence_end_the_cut_comes_after_a_comma()
    {
        var track = Build([Spoken(0, 1, "When the lights go out and the music stops playing, everybody in this room will have to find the nearest exit")]);
        Assert.Equal(2, track.Cues.Count);
        Assert.EndsWith("playing,", track.Cues[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_punctuation_a_long_stretch_is_cut_into_balanced_cues_and_lines()
    {
        var text = string.Join(' ', Enumerable.Range(0, 24).Select(i => "w" + (char)('a' + i % 26) + "rd"));
        var track = Build([Spoken(0, 1, text)]);
        Assert.Equal([12, 12], track.Cues.Select(c => c.Words.Count));
        Assert.All(track.Cues, c => Assert.Equal([29, 29], c.Lines.Select(l => l.Length)));
    }

    [Fact]
    public void A_short_cue_is_extended_into_the_silence_after_it()
    {
        var track = Build([Spoken(0, 1, "Yes.", 0.2), Spoken(1, 5, "Come in.")]);
        Assert.Equal((1000, 1800), (track.Cues[0].StartMs, track.Cues[0].EndMs));
        Assert.Equal(2, track.Adjustments.Extended);
        Assert.Equal(0, track.Adjustments.Merged);
    }

    [Fact]
    public void A_short_cue_without_silence_after_it_is_merged_with_its_neighbour()
    {
        var track = Build([Spoken(0, 1, "Yes.", 0.2), Spoken(1, 1.25, "Come in.")]);
        var cue = Assert.Single(track.Cues);
        Assert.Equal("Yes. Come in.", cue.Text);
        Assert.Equal(1000, cue.StartMs);
        Assert.Equal(1, track.Adjustments.Merged);
    }

    [Fact]
    public void A_cue_too_fast_to_read_stays_up_longer_when_silence_follows_and_is_counted_when_none_does()
    {
        // 80 characters spoken in 2.02 s (9 words of 0.18 s): 4 s are needed at 20 characters per second.
        const string fast = "Seventeen hundred kilometres northeast, the expedition finally reached Murmansk.";
        var slow = Build([Spoken(0, 1, fast, 0.18)]);
        Assert.Equal(1000 + (long)Math.Ceiling(fast.Length * 1000 / 20.0), slow.Cues[0].EndMs);
        Assert.Equal(0, slow.Adjustments.TooFast);

        var crowded = Build([Spoken(0, 1, fast, 0.18), Spoken(1, 3.2, "Then what?")]);
        Assert.Equal(3200 - 40, crowded.Cues[0].EndMs);
        Assert.Equal(1, crowded.Adjustments.TooFast);
    }

    [Fact]
    public void A_word_held_longer_than_the_maximum_is_cut_to_it()
    {
        var track = Build([Spoken(0, 1, "Nooo!", 9.0)]);
        Assert.Equal(7000, track.Cues[0].DurationMs);
        Assert.Equal(1, track.Adjustments.Shortened);
    }

    /// <summary>A word longer than a line is never cut or dropped: it is a cue of its own, on one line over the limit.</summary>
    [Fact]
    public void A_word_longer_than_a_line_is_still_shown_whole_on_a_line_of_its_own()
    {
        const string word = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch";
        var track = Build([Spoken(0, 1, $"We drove to {word} yesterday, it was lovely.", 0.4)]);
        Assert.Equal(["We drove to", word, "yesterday, it was lovely."], track.Cues.Select(c => c.Text));
        Assert.Equal([word], track.Cues[1].Lines);
        Assert.Equal(1, track.Adjustments.LongWords);
        Assert.All(track.Cues, c => Assert.True(c.DurationMs >= Rules.MinCueMs));
    }

    [Fact]
    public void Cues_in_music_regions_and_lyrics_segments_are_wrapped_in_notes()
    {
        var track = Build(
            [Spoken(0, 1, "Is this the real life?", lyrics: true), Spoken(1, 10, "Is this just fantasy?"), Spoken(2, 20, "Open your eyes.")],
            music: [new MusicRegion(9.5, 12, 0.9)]);
        Assert.Equal([["♪ Is this the real life? ♪"], ["♪ Is this just fantasy? ♪"], ["Open your eyes."]], track.Cues.Select(c => c.Lines));
    }

    [Fact]
    public void A_translated_segment_shares_its_time_among_its_cues_by_length()
    {
        var text = "Kurz. Dies ist ein viel längerer zweiter Satz, der nicht mehr in eine einzige Untertitelzeile passt, gar nicht.";
        var translation = new Model.Translation { TargetLanguage = "de", Segments = [new TranslatedSegment(0, 10, 16, text, "…")] };
        var track = new SubtitleBuilder(Rules, []).FromTranslation(translation, new HashSet<int>(), 600);

        Assert.Equal(2, track.Cues.Count);
        Assert.Equal(10000, track.Cues[0].StartMs);
        // The second cue starts where its first word's share of the six seconds begins.
        var before = track.Cues[0].Words.Sum(w => w.Length + 1.0);
        var total = text.Split(' ').Sum(w => w.Length + 1.0);
        Assert.Equal(10000 + (long)Math.Round(6000 * before / total), track.Cues[1].StartMs);
        Assert.Equal(16000, track.Cues[1].EndMs);
    }
}
