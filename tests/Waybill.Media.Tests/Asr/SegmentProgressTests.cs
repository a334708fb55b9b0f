using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Waybill.Media.Stages.Asr;
using Xunit;

namespace Waybill.Media.Tests.Asr;

/// <summary>ASR's segment count reaches the stage's progress display from the recognisers' worker tasks.</summary>
public sealed class SegmentProgressTests
{
    [Fact]
    public async Task Every_segment_done_on_any_worker_is_reported_while_the_stage_listens()
    {
        var reports = new ConcurrentBag<(int Done, int Total)>();
        using (SegmentProgress.ReportTo((done, total) => reports.Add((done, total))))
        {
            var progress = new SegmentProgress(NullLogger.Instance, 8);
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(progress.Done)));
        }
        Assert.Equal(Enumerable.Range(1, 8).Select(d => (d, 8)), reports.OrderBy(r => r.Done));

        var after = new SegmentProgress(NullLogger.Instance, 2);
        after.Done();
        Assert.Equal(8, reports.Count);
    }
}
