using Waybill.Core.Processes;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// The CPU time of one in-process stage's own code: its asynchronous flow (the code after each await, the tasks and
/// work items it started, which carry its execution context) on every thread of the engine it ran on, counted from the
/// moment the flow arrives on a thread to the moment it leaves. The runtime reports both moments through an
/// <see cref="AsyncLocal{T}"/>'s change callback; each reads the thread's own CPU time (getrusage RUSAGE_THREAD).
/// Not seen: work a native library does on threads of its own, and the engine's work for other stages, which is the
/// point: that is what the process-wide figure cannot tell apart.
/// </summary>
internal sealed class FlowCpuMeter
{
    private static readonly AsyncLocal<FlowCpuMeter?> s_current = new(OnChanged);

    // The thread's CPU time when the meter's flow arrived on it.
    [ThreadStatic] private static long t_arrivedUserUs;
    [ThreadStatic] private static long t_arrivedSystemUs;

    private long _userUs;
    private long _systemUs;

    public TimeSpan User => TimeSpan.FromMicroseconds(Interlocked.Read(ref _userUs));

    public TimeSpan System => TimeSpan.FromMicroseconds(Interlocked.Read(ref _systemUs));

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
        if (!TryReadThread(out var userUs, out var systemUs)) return;
        if (change.PreviousValue is { } leaving)
        {
            Interlocked.Add(ref leaving._userUs, Math.Max(0, userUs - t_arrivedUserUs));
            Interlocked.Add(ref leaving._systemUs, Math.Max(0, systemUs - t_arrivedSystemUs));
        }
        (t_arrivedUserUs, t_arrivedSystemUs) = (userUs, systemUs);
    }

    private static unsafe bool TryReadThread(out long userUs, out long systemUs)
    {
        Rusage usage;
        if (LibC.GetRusage(LibC.RusageThread, &usage) != 0)
        {
            (userUs, systemUs) = (0, 0);
            return false;
        }
        userUs = usage.UserTime.Seconds * 1_000_000 + usage.UserTime.Microseconds;
        systemUs = usage.SystemTime.Seconds * 1_000_000 + usage.SystemTime.Microseconds;
        return true;
    }
}
