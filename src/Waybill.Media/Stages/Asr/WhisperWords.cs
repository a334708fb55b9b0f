using Waybill.Media.Model;
using Whisper.net;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// Words from whisper.cpp's tokens: a token that starts with a space starts a word, others (word pieces, punctuation)
/// extend the one before. Token times are in hundredths of a second from the start of the decoded audio; special
/// tokens (timestamps, end of text, language) are ids at or above end-of-text and carry no text.
/// </summary>
public static class WhisperWords
{
    public static List<Word> From(SegmentData segment, int endOfText)
    {
        var words = new List<Word>();
        string? text = null;
        double start = 0, end = 0, probability = 0;
        var pieces = 0;
        foreach (var token in segment.Tokens ?? [])
        {
            if (token.Id >= endOfText || string.IsNullOrEmpty(token.Text)) continue;
            var (t0, t1) = Times(token, segment);
            if (text is null || token.Text.StartsWith(' '))
            {
                Flush();
                (text, start, end, probability, pieces) = (token.Text, t0, t1, token.Probability, 1);
                continue;
            }
            text += token.Text;
            end = Math.Max(end, t1);
            probability += token.Probability;
            pieces++;
        }
        Flush();
        return words;

        void Flush()
        {
            if (text is not null && text.Trim().Length > 0)
                words.Add(new Word(text.Trim(), Math.Round(start, 3), Math.Round(Math.Max(start, end), 3), Math.Round(Math.Clamp(probability / pieces, 0, 1), 4)));
            text = null;
        }
    }

    /// <summary>The token's time in seconds; a token without one (negative) takes its segment's.</summary>
    private static (double Start, double End) Times(WhisperToken token, SegmentData segment)
    {
        var start = token.Start >= 0 ? token.Start / 100.0 : segment.Start.TotalSeconds;
        var end = token.End >= 0 ? token.End / 100.0 : segment.End.TotalSeconds;
        return (start, Math.Max(start, end));
    }
}
