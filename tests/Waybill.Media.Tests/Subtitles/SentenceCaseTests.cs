using Waybill.Media.Model;
using Waybill.Media.Stages.Subtitles;
using Xunit;

namespace Waybill.Media.Tests.Subtitles;

/// <summary>Sentence case and full stops for transcripts without them (PocketSphinx), word times untouched.</summary>
public sealed class SentenceCaseTests
{
    private static List<TimedWord> Words(string text, long startMs = 1000) =>
        [.. text.Split(' ').Select((w, i) => new TimedWord(w, startMs + i * 300, startMs + i * 300 + 250))];

    private static string Text(IEnumerable<TimedWord> words) => string.Join(' ', words.Select(w => w.Text));

    [Fact]
    public void A_segment_starts_with_a_capital_and_ends_with_a_full_stop_and_keeps_its_word_times()
    {
        var words = Words("every morning the baker opens his shop");
        var cased = SentenceCase.Apply(words, english: true, sung: false);

        Assert.Equal("Every morning the baker opens his shop.", Text(cased));
        Assert.Equal(words.Select(w => (w.StartMs, w.EndMs)), cased.Select(w => (w.StartMs, w.EndMs)));
    }

    [Theory]
    [InlineData("well i think i'm right and i'll go", "Well I think I'm right and I'll go.")]
    [InlineData("i've said what i'd do", "I've said what I'd do.")]
    [InlineData("is it over", "Is it over.")]
    [InlineData("it is over!", "It is over!")]
    [InlineData("what now?", "What now?")]
    [InlineData("and then…", "And then…")]
    [InlineData("he said \"stop\"", "He said \"stop.\"")]
    [InlineData("wait,", "Wait.")]
    [InlineData("ice in india", "Ice in india.")]
    public void Capitals_for_the_sentence_and_english_i_and_a_stop_unless_one_is_there(string text, string expected) =>
        Assert.Equal(expected, Text(SentenceCase.Apply(Words(text), english: true, sung: false)));

    [Fact]
    public void A_sung_segment_gets_its_capital_but_no_full_stop_and_other_languages_keep_their_i() =>
        Assert.Equal(("Back in black I hit the sack", "Ich i bin."),
            (Text(SentenceCase.Apply(Words("back in black i hit the sack"), english: true, sung: true)),
             Text(SentenceCase.Apply(Words("ich i bin"), english: false, sung: false))));

    [Theory]
    [InlineData(SentenceCaseMode.Auto, "pocketsphinx", true)]
    [InlineData(SentenceCaseMode.Auto, "command", false)]
    [InlineData(SentenceCaseMode.Auto, "openai", false)]
    [InlineData(SentenceCaseMode.Auto, "whisper", false)]
    [InlineData(SentenceCaseMode.On, "whisper", true)]
    [InlineData(SentenceCaseMode.Off, "pocketsphinx", false)]
    public void Auto_is_on_only_for_the_recogniser_that_writes_neither_case_nor_punctuation(SentenceCaseMode mode, string backend, bool applies) =>
        Assert.Equal(applies, SentenceCase.Applies(mode, backend));

    [Fact]
    public void Cues_built_from_a_transcript_are_cased_per_segment_and_a_cue_cut_inside_a_segment_gets_no_stop()
    {
        var segment = new TranscriptSegment
        {
            Id = 0, Start = 1, End = 12,
            Words = [.. Words("the children walk to school along the quiet green road and then they sit down in the warm room to read")
                .Select(w => new Word(w.Text, w.StartMs / 1000.0, w.EndMs / 1000.0, 1))],
        };
        var transcript = new Transcript { Backend = "pocketsphinx", Language = "en", Duration = 20, Segments = [segment] };
        var cues = new SubtitleBuilder(new SubtitleRules(), []).FromTranscript(transcript, sentenceCase: true).Cues;

        Assert.True(cues.Count >= 2, "the segment is too long for one cue");
        Assert.StartsWith("The children", cues[0].Text, StringComparison.Ordinal);
        Assert.False(cues[0].Text.EndsWith('.'), cues[0].Text);
        Assert.EndsWith("to read.", cues[^1].Text, StringComparison.Ordinal);
        Assert.All(cues, c => Assert.DoesNotContain(" i ", c.Text, StringComparison.Ordinal));
    }
}
