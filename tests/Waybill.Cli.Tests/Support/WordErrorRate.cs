namespace Waybill.Cli.Tests.Support;

/// <summary>Word error rate: word-level edit distance between a reference and a hypothesis, over the reference length.</summary>
public static class WordErrorRate
{
    public static IReadOnlyList<string> Words(string text) =>
        text.ToLowerInvariant().Split([' ', '\n', '\t', '.', ',', '!', '?', '♪', '"'], StringSplitOptions.RemoveEmptyEntries);

    public static double Of(string reference, string hypothesis)
    {
        var r = Words(reference);
        var h = Words(hypothesis);
        var previous = Enumerable.Range(0, h.Count + 1).ToArray();
        for (var i = 1; i <= r.Count; i++)
        {
            var current = new int[h.Count + 1];
            current[0] = i;
            for (var j = 1; j <= h.Count; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1));
            previous = current;
        }
        return r.Count == 0 ? (h.Count == 0 ? 0 : 1) : (double)previous[h.Count] / r.Count;
    }
}
