using Waybill.Core.Manifests;
using Waybill.Core.Pipeline.FanOut;

namespace Waybill.Core.Execution;

/// <summary>
/// A fan-out's items done out of those known (a dynamic fan-out's grow as they are found), reported as the fan-out
/// stage's <see cref="StageProgress"/> whenever an item starts or ends.
/// </summary>
internal sealed class FanOutProgress
{
    private readonly Lock _gate = new();
    private readonly IProgress<StageProgress> _sink;
    private readonly Dictionary<string, (int Done, int Total)> _counts = new(StringComparer.Ordinal);

    public FanOutProgress(IEnumerable<JobStageSummary> stages, IProgress<StageProgress> sink)
    {
        _sink = sink;
        foreach (var stage in stages) Added(stage.StageId);
    }

    public void Added(string stageId)
    {
        if (!ItemKeys.TrySplit(stageId, out var parent, out _)) return;
        lock (_gate) _counts[parent] = _counts.TryGetValue(parent, out var count) ? (count.Done, count.Total + 1) : (0, 1);
    }

    public void Started(string stageId) => Report(stageId, finished: false);

    public void Finished(string stageId) => Report(stageId, finished: true);

    private void Report(string stageId, bool finished)
    {
        if (!ItemKeys.TrySplit(stageId, out var parent, out _)) return;
        (int Done, int Total) count;
        lock (_gate)
        {
            if (!_counts.TryGetValue(parent, out count)) return;
            if (finished) _counts[parent] = count = (Math.Min(count.Done + 1, count.Total), count.Total);
        }
        _sink.Report(new StageProgress(parent, count.Done, count.Total, "items"));
    }
}
