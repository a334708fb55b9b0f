using Waybill.Media.Stages.Asr;

namespace Waybill.Media.Stages.Subtitles;

/// <summary>Config <c>sentence_case</c> of 11_subtitle_generation: <c>auto</c> (by the recogniser), <c>on</c> or <c>off</c>.</summary>
public enum SentenceCaseMode
{
    Auto,
    On,
    Off,
}

/// <summary>
/// Sentence case and a final full stop for recognisers that write neither (PocketSphinx): each transcript segment is
/// taken as a sentence, its first letter made a capital, English "I" (I'm, I'll, I've, I'd) too, and a full stop added
/// unless it already ends with . ! ? … or is sung. Only the words' text changes, never their times.
/// </summary>
public static class SentenceCase
{
    public static readonly IReadOnlyList<string> Values = ["auto", "on", "off"];

    private static readonly HashSet<string> EnglishI = new(StringComparer.Ordinal) { "i", "i'm", "i'll", "i've", "i'd", "i’m", "i’ll", "i’ve", "i’d" };

    /// <summary>The mode a config value names (<c>true</c>/<c>false</c> as on/off), or null when it names none.</summary>
    public static SentenceCaseMode? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => SentenceCaseMode.Auto,
        "on" or "true" => SentenceCaseMode.On,
        "off" or "false" => SentenceCaseMode.Off,
        _ => null,
    };

    /// <summary>Whether cues made from <paramref name="backend"/>'s transcript get sentence case in <paramref name="mode"/>.</summary>
    public static bool Applies(SentenceCaseMode mode, string backend) =>
        mode == SentenceCaseMode.On || (mode == SentenceCaseMode.Auto && !AsrBackends.Punctuates(backend));

    /// <summary>The segment's words with the sentence's capitals and final full stop; times as they were.</summary>
    public static List<TimedWord> Apply(IReadOnlyList<TimedWord> words, bool english, bool sung)
    {
        var result = new List<TimedWord>(words.Count);
        for (var i = 0; i < words.Count; i++)
        {
            var text = words[i].Text;
            if (i == 0 || (english && EnglishI.Contains(text))) text = CapitalizeFirstLetter(text);
            if (i == words.Count - 1 && !sung) text = WithFullStop(text);
            result.Add(text == words[i].Text ? words[i] : words[i] with { Text = text });
        }
        return result;
    }

    private static string CapitalizeFirstLetter(string word)
    {
        for (var i = 0; i < word.Length; i++)
        {
            if (!char.IsLetter(word[i])) continue;
            return char.IsLower(word[i]) ? string.Concat(word.AsSpan(0, i), [char.ToUpperInvariant(word[i])], word.AsSpan(i + 1)) : word;
        }
        return word;
    }

    /// <summary>A full stop after the last word, unless it ends a sentence already; a trailing comma, colon or semicolon becomes one.</summary>
    private static string WithFullStop(string word)
    {
        var end = word.Length;
        while (end > 0 && word[end - 1] is '"' or '\'' or '”' or '’' or ')' or ']' or '»') end--;
        if (end == 0) return word;
        if (word[end - 1] is '.' or '!' or '?' or '…') return word;
        return word[end - 1] is ',' or ';' or ':' ? string.Concat(word.AsSpan(0, end - 1), ".", word.AsSpan(end)) : string.Concat(word.AsSpan(0, end), ".", word.AsSpan(end));
    }
}
