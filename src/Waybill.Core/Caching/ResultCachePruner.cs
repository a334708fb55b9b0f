using Waybill.Core.Pipeline.Controls;

namespace Waybill.Core.Caching;

/// <summary>An entry <c>cache prune</c> removed, and why.</summary>
public sealed record PrunedEntry(ResultCacheEntry Entry, DateTimeOffset LastUsedUtc, string Reason);

/// <summary>
/// Shrinks the result cache: entries not used for longer than a given age go, then, least recently used first, entries
/// until the cache fits a given size. Each removal leaves a tombstone line in <c>pruned.jsonl</c>.
/// </summary>
public static class ResultCachePruner
{
    /// <summary>What a writer killed mid-publish may leave in the staging folder: gone after this long.</summary>
    private static readonly TimeSpan StaleStaging = TimeSpan.FromDays(1);

    /// <param name="olderThanText">How <paramref name="olderThan"/> was written (<c>30d</c>), for the tombstones' reasons.</param>
    /// <param name="maxSizeText">How <paramref name="maxSize"/> was written (<c>20G</c>).</param>
    public static IReadOnlyList<PrunedEntry> Prune(ResultCache cache, TimeProvider time, long? maxSize, string? maxSizeText, TimeSpan? olderThan,
        string? olderThanText, bool dryRun = false)
    {
        var now = time.GetUtcNow();
        // Least recently used first; the last-used stamp is read once, so the order cannot shift under the loop.
        var entries = cache.Entries().Select(e => (Entry: e, LastUsed: e.LastUsedUtc)).OrderBy(e => e.LastUsed)
            .ThenBy(e => e.Entry.Fingerprint, StringComparer.Ordinal).ToList();
        var total = entries.Sum(e => e.Entry.SizeBytes);
        var pruned = new List<PrunedEntry>();
        foreach (var (entry, lastUsed) in entries)
        {
            string? reason = null;
            var idle = now - lastUsed;
            if (olderThan is { } age && idle > age)
                reason = $"not used for {Quantities.FormatDuration(Whole(idle))} (--older-than {olderThanText})";
            else if (maxSize is { } max && total > max)
                reason = $"least recently used while the cache held {Quantities.FormatSize(total)} (--max-size {maxSizeText})";
            if (reason is null) continue;
            if (!dryRun) cache.Discard(entry, reason);
            total -= entry.SizeBytes;
            pruned.Add(new PrunedEntry(entry, lastUsed, reason));
        }
        if (!dryRun) cache.RemoveStaleStaging(StaleStaging);
        return pruned;
    }

    private static TimeSpan Whole(TimeSpan span) => span >= TimeSpan.FromDays(1) ? TimeSpan.FromDays(Math.Floor(span.TotalDays))
        : span >= TimeSpan.FromHours(1) ? TimeSpan.FromHours(Math.Floor(span.TotalHours))
        : TimeSpan.FromMinutes(Math.Max(1, Math.Floor(span.TotalMinutes)));
}
