namespace Waybill.Media.Stages.Subtitles;

/// <summary>
/// Cuts one segment's words into cues at word boundaries. Every cue must fit the lines and the maximum duration;
/// among the cuts that do, the cheapest wins: fewer cues, cuts after a sentence end (then a comma, then a pause)
/// rather than mid-sentence, cues of similar size, and cues that leave enough time to read them.
/// </summary>
public sealed class CueSplitter(SubtitleRules rules, Func<long, long, bool> isMusic)
{
    private const double CueCost = 1.0;
    private const double CommaCut = 1.0;
    private const double PlainCut = 3.0;
    private const double PauseCut = 0.5;
    private const long PauseMs = 400;
    private const double ShortCost = 2.0;
    private const double FastCost = 4.0;

    /// <summary>The cues for one segment; <paramref name="music"/> marks them all as sung, otherwise each cue's time decides.</summary>
    /// <param name="nextStartMs">When the next segment starts (<see cref="long.MaxValue"/> for none): the last cue may stay up until then.</param>
    public List<Cue> Split(IReadOnlyList<TimedWord> words, bool music, long nextStartMs = long.MaxValue)
    {
        var n = words.Count;
        if (n == 0) return [];
        var lengths = words.Select(w => TextLength.Of(w.Text)).ToArray();
        var capacity = rules.MaxLines * rules.MaxLineChars;
        var best = new double[n + 1];
        var from = new int[n + 1];
        Array.Fill(best, double.PositiveInfinity);
        best[0] = 0;
        for (var j = 1; j <= n; j++)
        {
            var chars = -1;
            for (var i = j - 1; i >= 0; i--)
            {
                chars += lengths[i] + 1;
                var single = i == j - 1;
                // Longer stretches cannot fit; a single word always may, however long.
                if (!single && (chars > capacity || words[j - 1].EndMs - words[i].StartMs > rules.MaxCueMs)) break;
                if (double.IsPositiveInfinity(best[i])) continue;
                var chunkMusic = music || isMusic(words[i].StartMs, words[j - 1].EndMs);
                if (!single && !LineBreaker.Fits(Texts(words, i, j), rules.MaxLineChars, rules.MaxLines, chunkMusic)) break;
                var cost = best[i] + CueCost + Fill(chars, capacity) + CutCost(words, j) + TimeCost(words, i, j, chars, nextStartMs);
                if (cost < best[j])
                {
                    best[j] = cost;
                    from[j] = i;
                }
            }
        }

        var cues = new List<Cue>();
        for (var j = n; j > 0; j = from[j])
        {
            var i = from[j];
            cues.Add(new Cue
            {
                StartMs = words[i].StartMs,
                EndMs = words.Skip(i).Take(j - i).Max(w => w.EndMs),
                Words = Texts(words, i, j),
                Music = music || isMusic(words[i].StartMs, words[j - 1].EndMs),
            });
        }
        cues.Reverse();
        return cues;
    }

    private static List<string> Texts(IReadOnlyList<TimedWord> words, int from, int to)
    {
        var list = new List<string>(to - from);
        for (var k = from; k < to; k++) list.Add(words[k].Text);
        return list;
    }

    /// <summary>Convex in the cue's size, so that a long sentence splits into halves rather than a full cue and a scrap.</summary>
    private static double Fill(int chars, int capacity)
    {
        var share = (double)chars / capacity;
        return share * share;
    }

    /// <summary>What cutting before words[j] costs: nothing at the segment's end or after a sentence end.</summary>
    private static double CutCost(IReadOnlyList<TimedWord> words, int j)
    {
        if (j >= words.Count) return 0;
        var last = words[j - 1].Text;
        var cost = last.Length == 0 ? PlainCut : last[^1] switch
        {
            '.' or '?' or '!' or '…' => 0,
            ',' or ';' or ':' or '-' or '–' or '—' => CommaCut,
            _ => PlainCut,
        };
        return words[j].StartMs - words[j - 1].EndMs >= PauseMs ? Math.Min(cost, PauseCut) : cost;
    }

    /// <summary>
    /// A cue can stay up until the next word (the segment's last cue: until the next segment); too little time to
    /// read it, or less than the minimum duration, costs.
    /// </summary>
    private double TimeCost(IReadOnlyList<TimedWord> words, int i, int j, int chars, long nextStartMs)
    {
        var until = j < words.Count ? words[j].StartMs : nextStartMs;
        if (until == long.MaxValue) return 0;
        var available = Math.Min(until - rules.GapMs, words[i].StartMs + rules.MaxCueMs) - words[i].StartMs;
        var cost = 0.0;
        if (available < rules.MinCueMs) cost += ShortCost;
        var needed = chars * 1000 / rules.MaxCharsPerSecond;
        if (available < needed) cost += FastCost * Math.Min(needed / Math.Max(available, 1) - 1, 10);
        return cost;
    }
}
