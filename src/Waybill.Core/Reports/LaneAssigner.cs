namespace Waybill.Core.Reports;

/// <summary>
/// Interval partitioning: each interval goes to the lowest-numbered lane that is free when it starts, so intervals in
/// one lane never overlap and there are as many lanes as intervals ever ran at once (the parallel slots a run used).
/// O(n log n): intervals sorted by start, busy lanes in a heap by end, free lanes in a heap by number.
/// </summary>
internal static class LaneAssigner
{
    /// <summary>The lane of each interval, in the order given, and the number of lanes.</summary>
    public static (int[] Lanes, int Count) Assign(IReadOnlyList<(double Start, double End)> intervals)
    {
        var lanes = new int[intervals.Count];
        var order = Enumerable.Range(0, intervals.Count)
            .OrderBy(i => intervals[i].Start).ThenBy(i => intervals[i].End).ThenBy(i => i).ToArray();
        var busy = new PriorityQueue<int, double>();
        var free = new PriorityQueue<int, int>();
        var count = 0;
        foreach (var i in order)
        {
            var (start, end) = intervals[i];
            while (busy.TryPeek(out var lane, out var busyUntil) && busyUntil <= start)
            {
                busy.Dequeue();
                free.Enqueue(lane, lane);
            }
            if (!free.TryDequeue(out var chosen, out _)) chosen = count++;
            lanes[i] = chosen;
            busy.Enqueue(chosen, Math.Max(start, end));
        }
        return (lanes, count);
    }
}
