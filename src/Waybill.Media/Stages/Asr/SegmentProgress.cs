using Microsoft.Extensions.Logging;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// Logs "recognised n/total segments" at INFO about every tenth of the way, so long runs show progress; and tells the
/// stage's progress display of every segment (<see cref="ReportTo"/>), where a bar shows the time left.
/// </summary>
internal sealed class SegmentProgress(ILogger logger, int total)
{
    // The recognisers run segments on worker tasks of their own; the stage that called them is found through these.
    private static readonly AsyncLocal<Action<int, int>?> Reporter = new();

    private readonly Action<int, int>? _report = Reporter.Value;
    private readonly int _step = Math.Max(1, (int)Math.Ceiling(total / 10.0));
    private int _done;

    /// <summary>Progress of recognisers started in this flow goes to <paramref name="report"/> (done, total) until disposed.</summary>
    public static IDisposable ReportTo(Action<int, int> report)
    {
        Reporter.Value = report;
        return new Reset();
    }

    public void Done()
    {
        var done = Interlocked.Increment(ref _done);
        _report?.Invoke(done, total);
        if (done % _step == 0 || done == total) logger.LogInformation("recognised {Done}/{Total} segments", done, total);
    }

    private sealed class Reset : IDisposable
    {
        public void Dispose() => Reporter.Value = null;
    }
}
