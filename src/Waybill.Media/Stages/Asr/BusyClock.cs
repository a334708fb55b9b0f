using System.Diagnostics;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// Wall time during which at least one worker is inside a native call: the union of the workers' intervals, so two
/// workers decoding side by side count once. The stage's wall time less this is what the engine and Waybill's own
/// code around the decoder cost (bench/scripts/whisper-overhead.sh).
/// </summary>
internal sealed class BusyClock
{
    private readonly Lock _gate = new();
    private int _inside;
    private long _since;
    private long _total;

    public TimeSpan Busy
    {
        get
        {
            lock (_gate) return Stopwatch.GetElapsedTime(0, _total + (_inside > 0 ? Stopwatch.GetTimestamp() - _since : 0));
        }
    }

    /// <summary>Adds time measured elsewhere, spent while no worker was inside.</summary>
    public void Add(TimeSpan time)
    {
        lock (_gate) _total += (long)(time.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Counts from now until the returned scope is disposed.</summary>
    public Scope Enter()
    {
        lock (_gate)
        {
            if (_inside++ == 0) _since = Stopwatch.GetTimestamp();
        }
        return new Scope(this);
    }

    private void Leave()
    {
        lock (_gate)
        {
            if (--_inside == 0) _total += Stopwatch.GetTimestamp() - _since;
        }
    }

    public readonly struct Scope(BusyClock clock) : IDisposable
    {
        public void Dispose() => clock.Leave();
    }
}
