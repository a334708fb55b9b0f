namespace Waybill.Media.Stages.Asr;

/// <summary>Turns PocketSphinx's dictionary entries into words: fillers are dropped, pronunciation variants merged.</summary>
public static class PocketSphinxWords
{
    /// <summary>Null for fillers (<c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;sil&gt;</c>, <c>[NOISE]</c>, <c>++GARBAGE++</c>); <c>read(2)</c> becomes <c>read</c>.</summary>
    public static string? Normalise(string? entry)
    {
        if (string.IsNullOrWhiteSpace(entry)) return null;
        var word = entry.Trim();
        if (word[0] is '<' or '[' or '+') return null;
        var paren = word.IndexOf('(', StringComparison.Ordinal);
        if (paren > 0 && word.EndsWith(')')) word = word[..paren];
        return word.Length == 0 ? null : word;
    }
}
