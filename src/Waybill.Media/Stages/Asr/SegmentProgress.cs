using Microsoft.Extensions.Logging;

namespace Waybill.Media.Stages.Asr;

/// <summary>Logs "recognised n/total segments" at INFO about every tenth of the way, so long runs show progress.</summary>
internal sealed class SegmentProgress(ILogger logger, int total)
{
    private readonly int _step = Math.Max(1, (int)Math.Ceiling(total / 10.0));
    private int _done;

    public void Done()
    {
        var done = Interlocked.Increment(ref _done);
        if (done % _step == 0 || done == total) logger.LogInformation("recognised {Done}/{Total} segments", done, total);
    }
}
