using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Waybill.Core.Processes;

/// <summary>
/// The engine's process spawners: one shared by every thread, started the first time a command needs it, and one of its
/// own for each thread that runs commands one after another and waits for them itself (<see cref="OwnOnThisThread"/>).
/// Given up for good when one cannot start or has ended, with one warning; callers then start commands as they would
/// without one.
/// </summary>
internal sealed class SpawnerSlot(IReadOnlyList<string> command)
{
    [ThreadStatic]
    private static bool t_owns;

    [ThreadStatic]
    private static ProcessSpawner? t_owned;

    private readonly Lock _gate = new();
    // The threads' own spawners that have not been stopped with their thread.
    private readonly ConcurrentDictionary<ProcessSpawner, byte> _owned = new();
    private ProcessSpawner? _spawner;
    private string? _givenUp;
    private int _warned;

    /// <summary>The shared spawner started so far, if any (alive or not).</summary>
    public ProcessSpawner? Current => _spawner;

    /// <summary>
    /// While <paramref name="owns"/>, commands started on this thread go through a spawner of its own (kept from one time to
    /// the next), whose replies this thread reads while it waits for them (<see cref="ChildRun"/>): no other thread wakes on
    /// the way. Only for a thread that runs nothing else while a command runs.
    /// </summary>
    public static void OwnOnThisThread(bool owns) => t_owns = owns;

    /// <summary>Stops this thread's own spawner, if it started one (the thread is done running commands).</summary>
    public void StopOwned(TimeSpan timeout)
    {
        t_owns = false;
        if (t_owned is not { } owned) return;
        t_owned = null;
        owned.Stop(timeout);
        _owned.TryRemove(owned, out _);
    }

    /// <summary>Every spawner started, the shared one and those of threads; what <see cref="MeasuredProcess.StopSpawner"/> stops.</summary>
    public IEnumerable<ProcessSpawner> All => _spawner is null ? _owned.Keys : _owned.Keys.Append(_spawner);

    /// <summary>
    /// The running spawner for this thread, started now if need be; null once none can serve (warned about once, to the
    /// first logger given).
    /// </summary>
    public ProcessSpawner? Get(ILogger? logger)
    {
        if (t_owns && OwnedOrNull(logger) is { } owned) return owned;
        if (_spawner is { Ended: null } serving) return serving;
        lock (_gate)
        {
            if (_givenUp is null && _spawner is null)
            {
                try
                {
                    return _spawner = ProcessSpawner.Start(command);
                }
                catch (ProcessStartException ex)
                {
                    _givenUp = ex.Message.TrimEnd('.');
                }
            }

            if (_givenUp is null && _spawner is { Ended: { } ended }) _givenUp = $"the process spawner (pid {_spawner.ProcessId}) {ended}";
            if (_givenUp is null) return _spawner;
        }

        Warn(logger);
        return null;
    }

    /// <summary>This thread's own spawner; null when it cannot have one (the shared one is used then, if it serves).</summary>
    private ProcessSpawner? OwnedOrNull(ILogger? logger)
    {
        if (t_owned is { Ended: null } serving) return serving;
        if (t_owned is { Ended: { } ended })
        {
            lock (_gate) _givenUp ??= $"the process spawner (pid {t_owned.ProcessId}) {ended}";
            t_owned = null;
            Warn(logger);
            return null;
        }

        lock (_gate)
        {
            if (_givenUp is not null) return null;
        }

        try
        {
            t_owned = ProcessSpawner.Start(command, ownerReads: true);
            _owned.TryAdd(t_owned, 0);
            return t_owned;
        }
        catch (ProcessStartException ex)
        {
            lock (_gate) _givenUp ??= ex.Message.TrimEnd('.');
            Warn(logger);
            return null;
        }
    }

    private void Warn(ILogger? logger)
    {
        string reason;
        lock (_gate) reason = _givenUp ?? "it stopped";
        if (logger is not null && Interlocked.Exchange(ref _warned, 1) == 0)
        {
            logger.LogWarning(
                "Peak RSS: {Reason}; commands start without it from now on: under GNU time while Waybill's own peak is above 64 MiB "
                + "(one more program start per command), else directly (a command's peak up to Waybill's own is then only an upper bound)",
                reason);
        }
    }
}
