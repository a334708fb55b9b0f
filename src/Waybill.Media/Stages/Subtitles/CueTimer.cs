namespace Waybill.Media.Stages.Subtitles;

/// <summary>
/// Times a track's cues: no overlaps and at least the minimum gap between cues; no cue longer than the maximum;
/// a cue shorter than the minimum or too fast to read is extended into the silence after it; one that stays too
/// short is merged with a neighbour when the result still fits, else takes silence before it or spare time from a
/// neighbour. What cannot be helped is counted (too fast, too short).
/// </summary>
public sealed class CueTimer(SubtitleRules rules)
{
    /// <param name="endMs">The end of the media, if known (no cue is extended past it); 0 when unknown.</param>
    public List<Cue> Apply(List<Cue> input, CueAdjustments adjustments, long endMs = 0)
    {
        var cues = input.OrderBy(c => c.StartMs).ThenBy(c => c.EndMs).ToList();
        foreach (var cue in cues)
        {
            if (cue.StartMs < 0) cue.StartMs = 0;
            if (cue.EndMs < cue.StartMs) cue.EndMs = cue.StartMs;
            if (cue.DurationMs > rules.MaxCueMs)
            {
                cue.EndMs = cue.StartMs + rules.MaxCueMs;
                adjustments.Shortened++;
            }
        }
        SeparateOverlaps(cues, adjustments);
        for (var i = 0; i < cues.Count; i++) Extend(cues, i, endMs);
        MergeShort(cues, endMs, adjustments);
        for (var i = 0; i < cues.Count; i++) Borrow(cues, i, adjustments);
        SeparateOverlaps(cues, adjustments);
        // A cue that lent time (its start moved later) may now use the silence after it.
        for (var i = 0; i < cues.Count; i++) Extend(cues, i, endMs);
        foreach (var cue in cues)
        {
            if (cue.Extended) adjustments.Extended++;
            if (cue.DurationMs < rules.MinCueMs) adjustments.TooShort++;
            if (cue.Chars * 1000.0 / Math.Max(cue.DurationMs, 1) > rules.MaxCharsPerSecond) adjustments.TooFast++;
        }
        return cues;
    }

    /// <summary>The latest a cue may end: the next cue's start less the gap, the media's end, or its own maximum.</summary>
    private long Limit(List<Cue> cues, int i, long endMs)
    {
        var limit = cues[i].StartMs + rules.MaxCueMs;
        if (i + 1 < cues.Count) limit = Math.Min(limit, cues[i + 1].StartMs - rules.GapMs);
        if (endMs > 0) limit = Math.Min(limit, Math.Max(endMs, cues[i].EndMs));
        return limit;
    }

    private void Extend(List<Cue> cues, int i, long endMs)
    {
        var cue = cues[i];
        var wanted = cue.StartMs + rules.NeededMs(cue.Chars);
        if (cue.EndMs >= wanted) return;
        var end = Math.Min(wanted, Limit(cues, i, endMs));
        if (end <= cue.EndMs) return;
        cue.EndMs = end;
        cue.Extended = true;
    }

    /// <summary>
    /// Joins each cue still below the minimum with the nearer neighbour it fits with (same ♪ state, lines, maximum
    /// duration). A neighbour more than the minimum duration away is not merged with: its text would show far from its speech.
    /// </summary>
    private void MergeShort(List<Cue> cues, long endMs, CueAdjustments adjustments)
    {
        for (var i = 0; i < cues.Count; i++)
        {
            if (cues[i].DurationMs >= rules.MinCueMs) continue;
            var next = i + 1 < cues.Count && CanMerge(cues[i], cues[i + 1]) ? cues[i + 1].StartMs - cues[i].EndMs : long.MaxValue;
            var previous = i > 0 && CanMerge(cues[i - 1], cues[i]) ? cues[i].StartMs - cues[i - 1].EndMs : long.MaxValue;
            if (next == long.MaxValue && previous == long.MaxValue) continue;
            var first = next <= previous ? i : i - 1;
            cues[first] = Merge(cues[first], cues[first + 1]);
            cues.RemoveAt(first + 1);
            adjustments.Merged++;
            Extend(cues, first, endMs);
            i = first - 1; // the merged cue may still be short: look at it again
        }
    }

    private bool CanMerge(Cue a, Cue b) =>
        a.Music == b.Music
        && b.StartMs - a.EndMs <= rules.MinCueMs
        && b.EndMs - a.StartMs <= rules.MaxCueMs
        && LineBreaker.Fits([.. a.Words, .. b.Words], rules.MaxLineChars, rules.MaxLines, a.Music);

    private static Cue Merge(Cue a, Cue b) => new()
    {
        StartMs = a.StartMs,
        EndMs = Math.Max(a.EndMs, b.EndMs),
        Words = [.. a.Words, .. b.Words],
        Music = a.Music,
    };

    /// <summary>
    /// A cue still too short starts earlier, into the silence before it, then takes time its neighbours can spare:
    /// first what they have beyond their reading time, then (the minimum duration ranks above reading speed) what
    /// they have beyond the minimum.
    /// </summary>
    private void Borrow(List<Cue> cues, int i, CueAdjustments adjustments)
    {
        var cue = cues[i];
        if (cue.DurationMs >= rules.MinCueMs) return;
        var before = cue.DurationMs;
        var earliest = i > 0 ? cues[i - 1].EndMs + rules.GapMs : 0;
        cue.StartMs -= Math.Min(rules.MinCueMs - cue.DurationMs, Math.Max(0, cue.StartMs - earliest));
        foreach (var keepReadable in new[] { true, false })
        {
            if (i + 1 < cues.Count) TakeFromNext(cue, cues[i + 1], keepReadable, adjustments);
            if (i > 0) TakeFromPrevious(cues[i - 1], cue, keepReadable);
        }
        if (cue.DurationMs > before) adjustments.Borrowed++;
    }

    private long Spare(Cue cue, bool keepReadable) => Math.Max(0, cue.DurationMs - (keepReadable ? rules.NeededMs(cue.Chars) : rules.MinCueMs));

    /// <summary>Ends the cue later: into the silence before the next one, then into the next one, whose start moves.</summary>
    private void TakeFromNext(Cue cue, Cue next, bool keepReadable, CueAdjustments adjustments)
    {
        var missing = rules.MinCueMs - cue.DurationMs;
        if (missing <= 0) return;
        var silence = Math.Max(0, next.StartMs - rules.GapMs - cue.EndMs);
        var take = Math.Min(missing, silence + Spare(next, keepReadable));
        if (take <= 0) return;
        cue.EndMs += take;
        if (cue.EndMs > next.StartMs - rules.GapMs)
        {
            next.StartMs = cue.EndMs + rules.GapMs;
            adjustments.Delayed++;
        }
    }

    /// <summary>Starts the cue earlier by ending the previous one earlier.</summary>
    private void TakeFromPrevious(Cue previous, Cue cue, bool keepReadable)
    {
        var missing = rules.MinCueMs - cue.DurationMs;
        if (missing <= 0) return;
        var take = Math.Min(missing, Spare(previous, keepReadable));
        if (take <= 0) return;
        previous.EndMs -= take;
        cue.StartMs = previous.EndMs + rules.GapMs;
    }

    /// <summary>
    /// Each cue ends at least the gap before the next starts. When the next one starts (almost) with this one, it
    /// is moved to start after this one's minimum instead, keeping its length.
    /// </summary>
    private void SeparateOverlaps(List<Cue> cues, CueAdjustments adjustments)
    {
        for (var i = 0; i + 1 < cues.Count; i++)
        {
            var cue = cues[i];
            var next = cues[i + 1];
            if (cue.EndMs <= next.StartMs - rules.GapMs) continue;
            var cut = next.StartMs - rules.GapMs;
            if (cut - cue.StartMs >= Math.Min(rules.MinCueMs, cue.DurationMs))
            {
                // Trimming a few milliseconds to make the gap is routine; cutting into an overlap is counted.
                if (cue.EndMs > next.StartMs) adjustments.Shortened++;
                cue.EndMs = cut;
                continue;
            }
            // Too little of this cue would be left: keep it at its minimum and show the next one after it.
            cue.EndMs = Math.Max(cut, cue.StartMs + Math.Min(rules.MinCueMs, Math.Max(cue.DurationMs, 1)));
            var length = next.DurationMs;
            next.StartMs = cue.EndMs + rules.GapMs;
            next.EndMs = Math.Max(next.EndMs, next.StartMs + Math.Max(1, Math.Min(length, rules.MaxCueMs)));
            adjustments.Delayed++;
        }
    }
}
