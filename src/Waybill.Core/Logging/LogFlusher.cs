using System.Collections.Concurrent;

namespace Waybill.Core.Logging;

/// <summary>
/// Buffered sinks are fast but a reader running <c>tail -f</c> wants lines soon: every open sink is flushed
/// a few times a second, and once more when the process exits, so no line is lost at shutdown.
/// </summary>
public static class LogFlusher
{
    private static readonly ConcurrentDictionary<IFlushable, byte> s_sinks = new();
    private static readonly Timer s_timer = new(_ => FlushAll(), null, Timeout.Infinite, Timeout.Infinite);
    private static int s_started;

    public static void Register(IFlushable sink)
    {
        s_sinks.TryAdd(sink, 0);
        if (Interlocked.Exchange(ref s_started, 1) == 0)
        {
            s_timer.Change(200, 200);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => FlushAll();
            // A crash still leaves every line that was logged before it.
            AppDomain.CurrentDomain.UnhandledException += (_, _) => FlushAll();
        }
    }

    public static void Unregister(IFlushable sink) => s_sinks.TryRemove(sink, out _);

    public static void FlushAll()
    {
        foreach (var sink in s_sinks.Keys)
        {
            try { sink.Flush(); }
            catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException) { SinkFailure.Report(sink, e); }
        }
    }
}
