using Microsoft.Extensions.Logging;

namespace Waybill.Core.Processes;

/// <summary>
/// The engine's one process spawner: started the first time a command needs it, and given up for good when it cannot
/// start or has ended, with one warning; callers then start commands as they would without one.
/// </summary>
internal sealed class SpawnerSlot(IReadOnlyList<string> command)
{
    private readonly Lock _gate = new();
    private ProcessSpawner? _spawner;
    private string? _givenUp;
    private int _warned;

    /// <summary>The spawner started so far, if any (alive or not).</summary>
    public ProcessSpawner? Current => _spawner;

    /// <summary>The running spawner, started now if need be; null once it cannot serve (warned about once, to the first logger given).</summary>
    public ProcessSpawner? Get(ILogger? logger)
    {
        if (_spawner is { Ended: null } serving) return serving;
        string reason;
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
            reason = _givenUp;
        }

        if (logger is not null && Interlocked.Exchange(ref _warned, 1) == 0)
        {
            logger.LogWarning(
                "Peak RSS: {Reason}; commands start without it from now on: under GNU time while Waybill's own peak is above 64 MiB "
                + "(one more program start per command), else directly (a command's peak up to Waybill's own is then only an upper bound)",
                reason);
        }

        return null;
    }
}
