namespace Waybill.Media.Tests.Asr;

/// <summary>Word error rate: (substitutions + deletions + insertions) / reference words, on lower-cased words without punctuation.</summary>
public static class WordErrorRate
{
    public static double Of(string reference, string hypothesis)
    {
        var r = Words(reference);
        var h = Words(hypothesis);
        if (r.Length == 0) return h.Length == 0 ? 0 : 1;
        var previous = Enumerable.Range(0, h.Length + 1).ToArray();
        for (var i = 1; i <= r.Length; i++)
        {
            var current = new int[h.Length + 1];
            current[0] = i;
            for (var j = 1; j <= h.Length; j++)
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[h.Length] / (double)r.Length;
    }

    public static string[] Words(string text) =>
        new string([.. text.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) || c == '\'' ? c : ' ')])
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
