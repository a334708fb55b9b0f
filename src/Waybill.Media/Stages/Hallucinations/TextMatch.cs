using System.Text;

namespace Waybill.Media.Stages.Hallucinations;

/// <summary>How the rules compare text: lower case, punctuation ignored, so "Thanks for watching!" equals "thanks for watching".</summary>
public static class TextMatch
{
    /// <summary>Lower-cased words; punctuation becomes space, apostrophes stay ("don't"), "amara.org" is two words.</summary>
    public static string[] Words(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
            builder.Append(char.IsLetterOrDigit(c) || c == '\'' ? char.ToLowerInvariant(c) : ' ');
        return builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>One word as compared by the repetition rules; a word of punctuation only compares as itself.</summary>
    public static string Key(string word)
    {
        var words = Words(word);
        return words.Length == 0 ? word.Trim() : string.Join(' ', words);
    }

    /// <summary>Whether <paramref name="text"/> is <paramref name="phrase"/>; a leading/trailing <c>*</c> in the phrase stands for any words.</summary>
    public static bool MatchesPhrase(string[] text, string phrase)
    {
        var trimmed = phrase.Trim();
        var anyBefore = trimmed.StartsWith('*');
        var anyAfter = trimmed.EndsWith('*');
        var words = Words(trimmed.Trim('*'));
        if (words.Length == 0 || text.Length < words.Length) return false;
        if (!anyBefore && !anyAfter) return text.AsSpan().SequenceEqual(words);
        if (!anyBefore) return text.AsSpan(0, words.Length).SequenceEqual(words);
        if (!anyAfter) return text.AsSpan(text.Length - words.Length).SequenceEqual(words);
        for (var i = 0; i + words.Length <= text.Length; i++)
            if (text.AsSpan(i, words.Length).SequenceEqual(words)) return true;
        return false;
    }

    /// <summary>Words back into text: punctuation that belongs to the previous word ("," "." "?") is not spaced.</summary>
    public static string Join(IEnumerable<string> words)
    {
        var builder = new StringBuilder();
        foreach (var raw in words)
        {
            var word = raw.Trim();
            if (word.Length == 0) continue;
            if (builder.Length > 0 && !(word.Length <= 3 && word.All(c => c is ',' or '.' or '?' or '!' or ';' or ':' or '…'))) builder.Append(' ');
            builder.Append(word);
        }
        return builder.ToString();
    }
}
