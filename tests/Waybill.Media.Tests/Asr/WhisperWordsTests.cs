using Waybill.Media.Stages.Asr;
using Whisper.net;
using Xunit;

namespace Waybill.Media.Tests.Asr;

public sealed class WhisperWordsTests
{
    private static WhisperToken Token(int id, string text, long start, long end, float probability = 0.8f) =>
        new() { Id = id, Text = text, Start = start, End = end, Probability = probability };

    [Fact]
    public void Tokens_starting_with_a_space_start_words_pieces_and_punctuation_extend_them_and_special_tokens_are_left_out()
    {
        var segment = new SegmentData(" Hello, world", TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2), 0.5f, 0.9f, 0.8f, 0.1f, "en",
        [
            Token(50364, "[_BEG_]", 50, 50),
            Token(15947, " Hel", 50, 80, 0.6f),
            Token(1913, "lo", 80, 110, 1.0f),
            Token(11, ",", 110, 112),
            Token(1002, " world", 120, 190),
            Token(50257, "[_EOT_]", 200, 200),
        ]);

        var words = WhisperWords.From(segment, endOfText: 50257);

        Assert.Equal(2, words.Count);
        Assert.Equal(("Hello,", 0.5, 1.12, 0.8), (words[0].Text, words[0].Start, words[0].End, words[0].Confidence));
        Assert.Equal(("world", 1.2, 1.9), (words[1].Text, words[1].Start, words[1].End));
    }

    [Fact]
    public void A_token_without_a_time_takes_its_segments()
    {
        var segment = new SegmentData(" hi", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5), 1, 1, 1, 0, "en", [Token(5, " hi", -1, -1)]);

        var word = Assert.Single(WhisperWords.From(segment, endOfText: 50256));

        Assert.Equal((1.0, 1.5), (word.Start, word.End));
    }
}
