using Waybill.Core.Reports;
using Xunit;

namespace Waybill.Core.Tests.Reports;

public sealed class LaneAssignerTests
{
    [Fact]
    public void Intervals_that_overlap_get_different_lanes_and_a_freed_lane_is_taken_again()
    {
        (double, double)[] intervals = [(0, 10), (1, 3), (2, 5), (3, 4), (6, 8), (10, 12)];

        var (lanes, count) = LaneAssigner.Assign(intervals);

        Assert.Equal(3, count); // at most three ran at once (2..3)
        Assert.Equal([0, 1, 2, 1, 1, 0], lanes);
    }

    [Fact]
    public void The_lowest_free_lane_is_chosen_not_the_one_freed_first()
    {
        // Lane 1 frees at 2, lane 0 at 3: the interval at 4 goes to lane 0.
        (double, double)[] intervals = [(0, 3), (1, 2), (4, 5)];

        var (lanes, count) = LaneAssigner.Assign(intervals);

        Assert.Equal(2, count);
        Assert.Equal([0, 1, 0], lanes);
    }

    [Fact]
    public void No_two_intervals_of_one_lane_overlap_and_the_count_is_the_most_at_once()
    {
        var random = new Random(7);
        var intervals = Enumerable.Range(0, 2000).Select(_ =>
        {
            var start = random.NextDouble() * 100;
            return (start, start + (random.NextDouble() * 5));
        }).ToArray();

        var (lanes, count) = LaneAssigner.Assign(intervals);

        foreach (var lane in Enumerable.Range(0, count))
        {
            var mine = intervals.Where((_, i) => lanes[i] == lane).OrderBy(x => x.start).ToArray();
            for (var i = 1; i < mine.Length; i++) Assert.True(mine[i].start >= mine[i - 1].Item2);
        }
        var mostAtOnce = intervals.Max(a => intervals.Count(b => b.start <= a.start && a.start < b.Item2));
        Assert.Equal(mostAtOnce, count);
    }
}
