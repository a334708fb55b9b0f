namespace Waybill.Media.Stages.Subtitles;

/// <summary>
/// Lays a cue's words out in as few lines as fit, then balances them: lines of similar length, and where the
/// balance costs little, a break after a sentence end or a comma. A music cue reserves room for its ♪ marks
/// ("♪ " before the first line, " ♪" after the last). A word longer than a line is never cut: it gets a line of its own.
/// </summary>
public static class LineBreaker
{
    /// <summary>What a break after a sentence end or a comma is worth, in squared characters of imbalance (8 and 5 characters).</summary>
    private const double SentenceBonus = 2 * 8 * 8;
    private const double CommaBonus = 2 * 5 * 5;

    /// <summary>The lines for <paramref name="words"/>, ♪ marks included; null when they need more than <paramref name="maxLines"/> lines.</summary>
    public static List<string>? Break(IReadOnlyList<string> words, int maxChars, int maxLines, bool music)
    {
        if (words.Count == 0) return [];
        var lengths = words.Select(TextLength.Of).ToArray();
        for (var lines = 1; lines <= maxLines; lines++)
        {
            var limit = Limit(maxChars, lines, music);
            var breaks = Balanced(words, lengths, limit, lines);
            if (breaks is null) continue;
            var result = new List<string>(lines);
            var start = 0;
            foreach (var end in breaks.Append(words.Count))
            {
                result.Add(string.Join(' ', words.Skip(start).Take(end - start)));
                start = end;
            }
            if (music)
            {
                result[0] = "♪ " + result[0];
                result[^1] += " ♪";
            }
            return result;
        }
        // A single word longer than a line is shown whole.
        return words.Count == 1 ? [music ? $"♪ {words[0]} ♪" : words[0]] : null;
    }

    /// <summary>Whether the words fit into a cue: filling lines greedily needs the fewest lines.</summary>
    public static bool Fits(IReadOnlyList<string> words, int maxChars, int maxLines, bool music)
    {
        if (words.Count <= 1) return true;
        var total = words.Sum(TextLength.Of) + words.Count - 1;
        if (total <= Limit(maxChars, 1, music)) return true;
        if (maxLines < 2) return false;
        var limit = Limit(maxChars, 2, music);
        var lines = 1;
        var length = -1;
        foreach (var word in words)
        {
            var size = TextLength.Of(word);
            if (size > limit) return false;
            if (length + 1 + size <= limit) length += 1 + size;
            else
            {
                lines++;
                length = size;
                if (lines > maxLines) return false;
            }
        }
        return true;
    }

    /// <summary>The room for text on each line when a cue has <paramref name="lines"/> lines.</summary>
    internal static int Limit(int maxChars, int lines, bool music) => !music ? maxChars : lines == 1 ? maxChars - 4 : maxChars - 2;

    /// <summary>
    /// Break positions (word indexes where lines 2.. start) for exactly <paramref name="lines"/> lines of at most
    /// <paramref name="limit"/> characters, minimising the sum of squared line lengths less the punctuation bonuses.
    /// </summary>
    private static int[]? Balanced(IReadOnlyList<string> words, int[] lengths, int limit, int lines)
    {
        var n = words.Count;
        if (lines > n) return null;
        // cost[k, j]: best cost of laying words[0..j) on k lines; from[k, j]: where the k-th line starts.
        var cost = new double[lines + 1, n + 1];
        var from = new int[lines + 1, n + 1];
        for (var k = 0; k <= lines; k++)
            for (var j = 0; j <= n; j++) cost[k, j] = double.PositiveInfinity;
        cost[0, 0] = 0;
        for (var k = 1; k <= lines; k++)
        {
            for (var j = k; j <= n; j++)
            {
                var length = -1;
                for (var i = j - 1; i >= k - 1; i--)
                {
                    length += lengths[i] + 1;
                    if (length > limit) break;
                    if (double.IsPositiveInfinity(cost[k - 1, i])) continue;
                    var candidate = cost[k - 1, i] + (double)length * length - (j < n ? Bonus(words[j - 1]) : 0);
                    if (candidate < cost[k, j])
                    {
                        cost[k, j] = candidate;
                        from[k, j] = i;
                    }
                }
            }
        }
        if (double.IsPositiveInfinity(cost[lines, n])) return null;
        var breaks = new int[lines - 1];
        var at = n;
        for (var k = lines; k > 1; k--)
        {
            at = from[k, at];
            breaks[k - 2] = at;
        }
        return breaks;
    }

    private static double Bonus(string word) => word.Length == 0 ? 0 : word[^1] switch
    {
        '.' or '?' or '!' or '…' => SentenceBonus,
        ',' or ';' or ':' => CommaBonus,
        _ => 0,
    };
}
