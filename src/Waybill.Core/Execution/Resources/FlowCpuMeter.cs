using Waybill.Core.Processes;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// The CPU time of one in-process stage's own code: its asynchronous flow (the code after each await, the tasks and
/// work items it started, which carry its execution context) on every thread of the engine it ran on, counted from the
/// moment the flow arrives on a thread to the moment it leaves. The runtime reports both moments through an
/// <see cref="AsyncLocal{T}"/>'s change callback; each reads the thread's own CPU clock (CLOCK_THREAD_CPUTIME_ID).
/// Not seen: work a native library does on threads of its own, work started with the flow suppressed, and the engine's
/// work for other stages, which is the point: that is what the process-wide figure cannot tell apart.
/// </summary>
internal sealed class FlowCpuMeter
{
    private const long Unknown = -1;

    private static readonly AsyncLocal<FlowCpuMeter?> s_current = new(OnChanged);

    // The thread's CPU clock when a meter's flow arrived on it; Unknown when the clock could not be read then.
    [ThreadStatic] private static long t_arrivedNs;

    private long _ns;
    private volatile bool _incomplete;

    /// <summary>The CPU time counted so far; null when the thread clock could not be read (the figure would be short).</summary>
    public TimeSpan? Total => _incomplete ? null : TimeSpan.FromTicks(Interlocked.Read(ref _ns) / 100);

    /// <summary>Runs <paramref name="body"/> with this meter in its flow; what it and all it starts use on the engine's threads is counted.</summary>
    public async Task MeasureAsync(Func<Task> body)
    {
        s_current.Value = this;
        try
        {
            await body().ConfigureAwait(false);
        }
        finally
        {
            s_current.Value = null;
        }
    }

    /// <remarks>Runs as the runtime switches execution contexts: it must be cheap and must never throw.</remarks>
    private static void OnChanged(AsyncLocalValueChangedArgs<FlowCpuMeter?> change)
    {
        if (ReferenceEquals(change.PreviousValue, change.CurrentValue)) return;
        var now = ThreadCpuNs();
        if (change.PreviousValue is { } leaving)
        {
            if (now == Unknown || t_arrivedNs == Unknown) leaving._incomplete = true;
            else Interlocked.Add(ref leaving._ns, Math.Max(0, now - t_arrivedNs));
        }
        t_arrivedNs = now;
    }

    private static unsafe long ThreadCpuNs()
    {
        var time = stackalloc long[2];
        return LibC.ClockGetTime(LibC.ClockThreadCpuTime, time) == 0 ? time[0] * 1_000_000_000 + time[1] : Unknown;
    }
}
