using Waybill.Media.Model;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// Word times for text that came without them (whisper.cpp's plain JSON, a WhisperX word it could not align):
/// the span's time is shared out by word length. Such words are counted as estimated in the manifest.
/// </summary>
public static class WordEstimator
{
    public static List<Word> Spread(string text, double start, double end, double confidence)
    {
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var words = new List<Word>(tokens.Length);
        if (tokens.Length == 0) return words;
        var total = tokens.Sum(t => t.Length + 1.0);
        var duration = Math.Max(0, end - start);
        var at = start;
        foreach (var token in tokens)
        {
            var length = duration * (token.Length + 1) / total;
            words.Add(new Word(token, Math.Round(at, 3), Math.Round(at + length, 3), confidence));
            at += length;
        }
        return words;
    }
}
