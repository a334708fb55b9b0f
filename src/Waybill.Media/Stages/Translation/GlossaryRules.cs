using Waybill.Core.Text;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Translation;

/// <summary>A glossary term the translation of one line did not honour.</summary>
public sealed record GlossaryViolation(GlossaryTerm Term, string Expected);

/// <summary>
/// Which glossary terms a line uses and whether its translation honours them: a term without a translation must
/// appear verbatim (inflected forms such as "Starks" contain it and pass), a term with one must show that translation.
/// </summary>
public static class GlossaryRules
{
    /// <summary>Terms found in <paramref name="source"/> as whole words, ignoring case.</summary>
    public static List<GlossaryTerm> UsedIn(string source, IEnumerable<GlossaryTerm> terms) =>
        [.. terms.Where(t => t.Term.Length > 0 && ContainsWord(source, t.Term))];

    public static List<GlossaryViolation> Check(string source, string translation, IEnumerable<GlossaryTerm> terms)
    {
        var violations = new List<GlossaryViolation>();
        foreach (var term in UsedIn(source, terms))
        {
            if (term.Translation is { Length: > 0 } wanted)
            {
                if (!translation.Contains(wanted, StringComparison.OrdinalIgnoreCase)) violations.Add(new(term, wanted));
            }
            else if (!translation.Contains(term.Term, StringComparison.Ordinal))
            {
                violations.Add(new(term, term.Term));
            }
        }
        return violations;
    }

    /// <summary>
    /// Puts a kept term back where the model changed only its case or spelled it slightly differently
    /// ("tony stark", "Toni Stark"); null when nothing in the line is close enough to replace.
    /// </summary>
    public static string? Substitute(string translation, string term)
    {
        var at = translation.IndexOf(term, StringComparison.OrdinalIgnoreCase);
        if (at >= 0) return string.Concat(translation.AsSpan(0, at), term, translation.AsSpan(at + term.Length));

        var tokens = Tokens(translation);
        var size = term.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var best = (Score: 0.0, Start: -1, End: -1);
        for (var i = 0; i + size <= tokens.Count; i++)
        {
            var start = tokens[i].Start;
            var end = tokens[i + size - 1].End;
            var candidate = translation[start..end];
            var score = Similarity(candidate.ToLowerInvariant(), term.ToLowerInvariant());
            if (score > best.Score) best = (score, start, end);
        }
        return best.Score >= 0.75 ? string.Concat(translation.AsSpan(0, best.Start), term, translation.AsSpan(best.End)) : null;
    }

    /// <summary>Words as [start, end) spans, without the punctuation around them.</summary>
    private static List<(int Start, int End)> Tokens(string text)
    {
        var tokens = new List<(int, int)>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsLetterOrDigit(text[i])) i++;
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
            var end = i;
            while (end > start && !char.IsLetterOrDigit(text[end - 1])) end--;
            if (end > start) tokens.Add((start, end));
        }
        return tokens;
    }

    /// <summary>1 − Levenshtein distance / longer length.</summary>
    internal static double Similarity(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0) return 0;
        return 1 - (double)EditDistance.Between(a, b) / Math.Max(a.Length, b.Length);
    }

    private static bool ContainsWord(string text, string term)
    {
        var from = 0;
        while (true)
        {
            var at = text.IndexOf(term, from, StringComparison.OrdinalIgnoreCase);
            if (at < 0) return false;
            var before = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            var after = at + term.Length >= text.Length || !char.IsLetterOrDigit(text[at + term.Length]);
            if (before && after) return true;
            from = at + 1;
        }
    }
}
