namespace Waybill.Cli.Output;

/// <summary>One row of the live display: what it counts, how far it is, and when counting began (for the time left).</summary>
internal sealed class LiveBar(string description, long total, long startedAt)
{
    public string Description { get; set; } = description;
    /// <summary>What a stage's bar counts (segments, items); its description is made from it when drawn.</summary>
    public string Unit { get; set; } = "";
    public long Done { get; private set; }
    public long Total { get; private set; } = total;
    public long StartedAt { get; } = startedAt;

    /// <summary>The first count seen and when: the rate since then gives the time left.</summary>
    public (long Done, long At)? First { get; private set; }

    public void Set(long done, long total, long at)
    {
        (Done, Total) = (done, total);
        First ??= (done, at);
    }

    /// <summary>The longest time left shown: a slow start on a huge count would otherwise overflow TimeSpan.</summary>
    private static readonly TimeSpan Longest = TimeSpan.FromHours(9999);

    /// <summary>The time left at this rate (at most <see cref="Longest"/>); null until the count has moved.</summary>
    public TimeSpan? TimeLeft(long now, TimeProvider time)
    {
        if (First is not { } first || Done <= first.Done) return null;
        // In double seconds: TimeSpan * double throws OverflowException past TimeSpan.MaxValue (a total of 10^13).
        var seconds = time.GetElapsedTime(first.At, now).TotalSeconds * ((double)(Total - Done) / (Done - first.Done));
        return seconds >= Longest.TotalSeconds || double.IsNaN(seconds) ? Longest : TimeSpan.FromSeconds(Math.Max(0, seconds));
    }
}
