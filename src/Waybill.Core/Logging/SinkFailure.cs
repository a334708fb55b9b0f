using System.Collections.Concurrent;

namespace Waybill.Core.Logging;

/// <summary>A broken sink is reported once on stderr and then ignored: logging never fails a stage.</summary>
public static class SinkFailure
{
    private static readonly ConcurrentDictionary<object, byte> s_reported = new();

    public static void Report(object sink, Exception error)
    {
        if (!s_reported.TryAdd(sink, 0)) return;
        try
        {
            var where = sink is TextFileSink file ? file.Path : sink.GetType().Name;
            Console.Error.WriteLine($"waybill: log sink {where} failed and is now ignored: {error.Message}");
        }
        catch (IOException)
        {
            // stderr itself is gone; nothing more can be said.
        }
    }
}
