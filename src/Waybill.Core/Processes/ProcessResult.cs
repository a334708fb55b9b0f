namespace Waybill.Core.Processes;

/// <summary>Outcome and resource usage of a child process run by <see cref="ChildProcess.RunAsync"/>.</summary>
/// <param name="ExitCode">Exit code, or 128 + signal number when the child was killed by a signal.</param>
/// <param name="Signal">The signal that killed the child, or null when it exited.</param>
/// <param name="UserCpu">User CPU time of the child and of every descendant it (or its descendants) waited for.</param>
/// <param name="SystemCpu">System CPU time, with the same scope as <paramref name="UserCpu"/>.</param>
/// <param name="PeakRssBytes">
/// Largest peak resident set size of any single process in that scope (not a sum). Linux starts the child's count at
/// the peak RSS of the address space it exec'd from, which for posix_spawn is that of the process that spawned it (this
/// one, or the process spawner), so values up to that process's own peak RSS at spawn time say only "no more than that".
/// </param>
/// <param name="WallTime">Time from spawning to reaping the child.</param>
/// <param name="Cancelled">True when cancellation asked the child to terminate before it was reaped.</param>
/// <param name="ProcessId">Pid of the child, which was also its process group id; 0 when nothing was started.</param>
public sealed record ProcessResult(
    int ExitCode,
    int? Signal,
    TimeSpan UserCpu,
    TimeSpan SystemCpu,
    long PeakRssBytes,
    TimeSpan WallTime,
    bool Cancelled,
    int ProcessId)
{
    /// <summary>
    /// True when <see cref="PeakRssBytes"/> may be the peak the child inherited at spawn rather than its own: it reported
    /// no more than the peak of the process that spawned it (this one, or the process spawner) at that moment.
    /// </summary>
    public bool PeakRssIsUpperBound { get; init; }

    /// <summary>What the child wrote to stdout, and what of it the output limits left out.</summary>
    public OutputStats Stdout { get; init; }

    /// <summary>What the child wrote to stderr, and what of it the output limits left out.</summary>
    public OutputStats Stderr { get; init; }

    /// <summary>
    /// True when the child exited but processes it started kept its output open past <see cref="ChildProcess.OutputLinger"/>,
    /// so its process group was killed.
    /// </summary>
    public bool LeftoversKilled { get; init; }

    /// <summary>
    /// Processes the child left running in its process group when it exited; they were killed then, so their CPU time and
    /// I/O are not in these figures. Counted only for a child that ran at least <see cref="ProcessGroup.CountAfter"/>.
    /// </summary>
    public int LeftoverProcesses { get; init; }

    /// <summary>Bytes the child and the descendants it waited for made the kernel read from storage (ru_inblock × 512).</summary>
    public long ReadBytes { get; init; }

    /// <summary>Bytes they wrote, or dirtied in the page cache for writing, to storage (ru_oublock × 512).</summary>
    public long WriteBytes { get; init; }
}
