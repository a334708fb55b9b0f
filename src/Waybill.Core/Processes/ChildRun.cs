using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Waybill.Core.Processes;

/// <summary>
/// One spawned child: pumps its output, reaps it with wait4 and terminates its process group on request. When the child
/// exits while something it started still holds its output open, that process group is killed after
/// <see cref="Linger"/>, and reading stops one <see cref="Linger"/> later whoever still holds the pipes.
/// </summary>
internal sealed partial class ChildRun : IDisposable
{
    /// <summary>How long output may stay open after the child exited, before what holds it is killed.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    // About 100 µs of spinning and yielding: the gap between a child's last close and its exit.
    private const int ReapSpins = 30;
    private static readonly TimeSpan WatchPeriod = TimeSpan.FromMilliseconds(100);

    private static readonly ConcurrentDictionary<ChildRun, byte> s_live = new();
    private static volatile bool s_hurry;

    private readonly Lock _gate = new();
    private readonly int _pid;
    private readonly long _startTimestamp;
    private readonly TimeSpan _killGrace;
    private CancellationTokenRegistration _registration;
    private Timer? _killTimer;
    private bool _reaped;
    private bool _terminating;
    private bool _cancelled;
    private readonly CancellationTokenSource _stopReading = new();
    private Timer? _exitWatch;
    private long _exitSeenAt;
    private bool _pumpsDone;
    private bool _leftoversKilled;
    private int _leftovers;

    private readonly SpawnedChild? _spawned;

    private ChildRun(int pid, SpawnedChild? spawned, long startTimestamp, TimeSpan killGrace)
    {
        _pid = pid;
        _spawned = spawned;
        _startTimestamp = startTimestamp;
        _killGrace = killGrace;
    }

    /// <summary>
    /// Shutdown in a hurry: every live child's process group gets SIGKILL now, and any child terminated from now on gets
    /// it without a grace period. The children are still reaped and their results returned as cancelled.
    /// </summary>
    public static void KillAllNow()
    {
        s_hurry = true;
        foreach (var run in s_live.Keys) run.Terminate(cancelled: true);
    }

    /// <summary>Starts the child directly, or through <paramref name="spawner"/> when one is given.</summary>
    public static async Task<ProcessResult> StartAsync(
        string executable,
        ProcessSpec spec,
        Action<string> onStdoutLine,
        Action<string> onStderrLine,
        OutputLimits stdoutLimits,
        OutputLimits stderrLimits,
        TimeSpan killGrace,
        ProcessSpawner? spawner,
        CancellationToken cancellationToken)
    {
        if (spawner is { OwnerReads: true })
        {
            return await RunOwned(executable, spec, onStdoutLine, onStderrLine, stdoutLimits, stderrLimits, killGrace, spawner, cancellationToken)
                .ConfigureAwait(false);
        }

        SafePipeHandle? stdoutRead = null, stdoutWrite = null, stderrRead = null, stderrWrite = null;
        try
        {
            CreatePipe(out stdoutRead, out stdoutWrite);
            CreatePipe(out stderrRead, out stderrWrite);
            var startTimestamp = Stopwatch.GetTimestamp();
            SpawnedChild? spawned = null;
            int pid;
            // Whether this method already left its caller's thread (the spawner's reply resumes it on a pool thread).
            var offCaller = false;
            if (spawner is null)
            {
                pid = Spawn(executable, spec, stdoutRead, stdoutWrite, stderrRead, stderrWrite);
            }
            else
            {
                var started = spawner.SpawnAsync(executable, spec, (int)stdoutWrite.DangerousGetHandle(), (int)stderrWrite.DangerousGetHandle());
                // The request holds its own copies of the write ends once sent.
                stdoutWrite.Dispose();
                stderrWrite.Dispose();
                offCaller = !started.IsCompleted;
                spawned = await started.ConfigureAwait(false);
                pid = spawned.Pid;
            }

            spec.Started?.Invoke(pid);

            // Our copies of the write ends must go, or the reads would never see EOF.
            stdoutWrite.Dispose();
            stderrWrite.Dispose();

            var run = new ChildRun(pid, spawned, startTimestamp, killGrace);
            s_live.TryAdd(run, 0);
            run._exitWatch = new Timer(static state => ((ChildRun)state!).WatchExit(), run, WatchPeriod, WatchPeriod);
            if (cancellationToken.CanBeCanceled)
            {
                run._registration = cancellationToken.UnsafeRegister(static state => ((ChildRun)state!).Terminate(cancelled: true), run);
            }

            // Pipe streams read through the runtime's epoll engine, so no thread blocks per stream.
            var stdoutHandle = stdoutRead;
            var stderrHandle = stderrRead;
            stdoutRead = null;
            stderrRead = null;
            var stdoutReader = new OutputReader(stdoutLimits, onStdoutLine);
            var stderrReader = new OutputReader(stderrLimits, onStderrLine);
            // Task.Run keeps callbacks off the caller's thread even when output is already waiting. Once the spawner's reply
            // has moved this method to a pool thread the pumps start here: two hand-offs less per command.
            var stdout = offCaller ? run.PumpAsync(stdoutHandle, stdoutReader)
                : Task.Run(() => run.PumpAsync(stdoutHandle, stdoutReader), CancellationToken.None);
            var stderr = offCaller ? run.PumpAsync(stderrHandle, stderrReader)
                : Task.Run(() => run.PumpAsync(stderrHandle, stderrReader), CancellationToken.None);
            return await run.CompleteAsync(stdout, stderr).ConfigureAwait(false);
        }
        finally
        {
            stdoutRead?.Dispose();
            stdoutWrite?.Dispose();
            stderrRead?.Dispose();
            stderrWrite?.Dispose();
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        s_live.TryRemove(this, out _);
        Timer? killTimer, exitWatch;
        lock (_gate)
        {
            killTimer = _killTimer;
            _killTimer = null;
            exitWatch = _exitWatch;
            _exitWatch = null;
        }

        killTimer?.Dispose();
        exitWatch?.Dispose();
        _stopReading.Dispose();
    }

    private static unsafe void CreatePipe(out SafePipeHandle read, out SafePipeHandle write)
    {
        // O_CLOEXEC atomically, so children spawned concurrently (by us or by System.Diagnostics.Process)
        // never inherit a write end, which would delay EOF until they exit.
        var fds = stackalloc int[2];
        if (LibC.Pipe2(fds, LibC.OCloexec) != 0)
        {
            throw new ProcessStartException($"Failed to create a pipe: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        read = new SafePipeHandle(fds[0], ownsHandle: true);
        write = new SafePipeHandle(fds[1], ownsHandle: true);
    }

    private static unsafe int Spawn(
        string executable,
        ProcessSpec spec,
        SafePipeHandle stdoutRead,
        SafePipeHandle stdoutWrite,
        SafePipeHandle stderrRead,
        SafePipeHandle stderrWrite)
    {
        var block = NativeArguments.Build(executable, spec, out var path, out var workingDirectory, out var argv, out var envp);
        try
        {
            var outWrite = (int)stdoutWrite.DangerousGetHandle();
            var errWrite = (int)stderrWrite.DangerousGetHandle();
            var error = PosixSpawn.Start(path, argv, envp, workingDirectory, [(outWrite, 1), (errWrite, 2)],
                [(int)stdoutRead.DangerousGetHandle(), (int)stderrRead.DangerousGetHandle()], out var pid);
            return error == 0 ? pid : throw SpawnFailed(executable, spec.WorkingDirectory, error);
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }

    internal static ProcessStartException SpawnFailed(string executable, string workingDirectory, int error)
    {
        if (ChildProcess.Vanished(executable, error) is { } vanished) return vanished;
        var reason = Marshal.GetPInvokeErrorMessage(error);
        if (error == LibC.Etxtbsy)
        {
            return new ProcessStartException($"Failed to start '{executable}': {reason} (errno {error}): a process still has it open for "
                + "writing; let whatever writes it finish and close it before it is run.");
        }
        // posix_spawn reports a failed chdir with the same errno as a failed exec; tell them apart.
        return workingDirectory.Length > 0 && !Directory.Exists(workingDirectory)
            ? new ProcessStartException($"Failed to start '{executable}': working directory '{workingDirectory}' is not accessible ({reason}).")
            : new ProcessStartException($"Failed to start '{executable}': {reason} (errno {error}).");
    }

    private async Task<ProcessResult> CompleteAsync(Task<(Exception? Failure, OutputStats Stats)> stdout,
        Task<(Exception? Failure, OutputStats Stats)> stderr)
    {
        try
        {
            var (stdoutFailure, stdoutStats) = await stdout.ConfigureAwait(false);
            var (stderrFailure, stderrStats) = await stderr.ConfigureAwait(false);
            lock (_gate) _pumpsDone = true;

            // Reap only after both streams hit EOF: until then the pid, and with it the process group id,
            // cannot be reused, so a late cancellation can never signal an unrelated group. A child closes its
            // output as it exits and becomes reapable microseconds later, so a short spin nearly always finds it;
            // only one that closed its output and lives on costs a blocking thread.
            var (status, usage) = _spawned is { } spawned
                ? await ReleaseAsync(spawned).ConfigureAwait(false)
                : ReapSoon() ?? await Task.Factory.StartNew(
                    static state => ((ChildRun)state!).TryReap(block: true)!.Value,
                    this,
                    CancellationToken.None,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default).ConfigureAwait(false);
            var wallTime = Stopwatch.GetElapsedTime(_startTimestamp);

            if (stdoutFailure != null && stderrFailure != null)
            {
                throw new AggregateException(stdoutFailure, stderrFailure);
            }

            if ((stdoutFailure ?? stderrFailure) is { } failure)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            var terminatingSignal = status & 0x7f;
            int? signal = terminatingSignal == 0 ? null : terminatingSignal;
            var exitCode = terminatingSignal == 0 ? (status >> 8) & 0xff : 128 + terminatingSignal;
            return new ProcessResult(
                exitCode,
                signal,
                usage.UserTime.ToTimeSpan(),
                usage.SystemTime.ToTimeSpan(),
                usage.MaxRssKiB * 1024,
                wallTime,
                _cancelled,
                _pid)
            {
                Stdout = stdoutStats,
                Stderr = stderrStats,
                LeftoversKilled = _leftoversKilled,
                LeftoverProcesses = _leftovers,
                // The kernel counts storage I/O in blocks of 512 bytes for rusage.
                ReadBytes = usage.BlockInputs * 512,
                WriteBytes = usage.BlockOutputs * 512,
                // A child of the spawner starts from the spawner's peak, which it reported with the exit.
                PeakRssIsUpperBound = _spawned is { } child && usage.MaxRssKiB * 1024 <= child.SpawnerPeakBytes,
            };
        }
        finally
        {
            Dispose();
        }
    }

    private async Task<(Exception? Failure, OutputStats Stats)> PumpAsync(SafePipeHandle handle, OutputReader reader)
    {
        try
        {
            using var stream = new AnonymousPipeClientStream(PipeDirection.In, handle);
            return (null, await reader.ReadAllAsync(stream, _stopReading.Token).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            // A callback failed (or the pipe did): the child is ended; closing our end makes any further write fail.
            Terminate(cancelled: false);
            return (ex, default);
        }
        finally
        {
            handle.Dispose();
        }
    }

    /// <summary>
    /// Ticks while output is still open: notes when the child has exited (left a zombie, so its process group id stays
    /// ours), kills that group once <see cref="Linger"/> has passed, and stops reading one more <see cref="Linger"/> later.
    /// </summary>
    private unsafe void WatchExit()
    {
        var stop = false;
        lock (_gate)
        {
            if (_reaped || _pumpsDone) return;
            if (_exitSeenAt == 0 && _spawned is { } spawned)
            {
                if (spawned.Exited.IsCompleted) _exitSeenAt = Stopwatch.GetTimestamp();
                return;
            }

            if (_exitSeenAt == 0)
            {
                var info = stackalloc long[LibC.SigInfoLongs];
                if (LibC.WaitId(LibC.PPid, _pid, info, LibC.WExited | LibC.WNoWait | LibC.WNoHang) != 0 || ((int*)info)[LibC.SigInfoPidIndex] == 0)
                    return;
                _exitSeenAt = Stopwatch.GetTimestamp();
                return;
            }

            var since = Stopwatch.GetElapsedTime(_exitSeenAt);
            if (since >= Linger && !_leftoversKilled)
            {
                _leftoversKilled = true;
                _ = LibC.Kill(-_pid, LibC.SigKill);
            }

            stop = since >= Linger * 2;
        }

        if (stop) _stopReading.Cancel();
    }

    private (int Status, Rusage Usage)? ReapSoon()
    {
        var spinner = default(SpinWait);
        for (var attempt = 0; attempt < ReapSpins; attempt++)
        {
            if (TryReap(block: false) is { } reaped) return reaped;
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return TryReap(block: false);
    }

    /// <summary>
    /// The spawner's child: its exit as the spawner reported it (the zombie keeps the process group id ours until
    /// released), then what is left of its group is killed and the spawner reaps it.
    /// </summary>
    private async Task<(int Status, Rusage Usage)> ReleaseAsync(SpawnedChild spawned)
    {
        try
        {
            var exit = await spawned.Exited.ConfigureAwait(false);
            lock (_gate)
            {
                _reaped = true;
                KillLeftovers();
            }

            spawned.Spawner.Release(_pid);
            return exit;
        }
        catch (ProcessLostException)
        {
            // The spawner ended and killed the group; the pid is no longer ours to signal.
            lock (_gate) _reaped = true;
            throw;
        }
    }

    /// <summary>Reaps the child, or returns null when <paramref name="block"/> is false and it is still running.</summary>
    private unsafe (int Status, Rusage Usage)? TryReap(bool block)
    {
        // WNOWAIT leaves the zombie in place until _reaped is set under the lock that Terminate takes.
        var info = stackalloc long[LibC.SigInfoLongs];
        var options = LibC.WExited | LibC.WNoWait | (block ? 0 : LibC.WNoHang);
        while (LibC.WaitId(LibC.PPid, _pid, info, options) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error != LibC.Eintr)
            {
                throw WaitFailed("waitid", error);
            }
        }

        if (((int*)info)[LibC.SigInfoPidIndex] == 0)
        {
            return null;
        }

        lock (_gate)
        {
            _reaped = true;
            // Whatever the child left running in its group goes with it; the zombie still holds the group id.
            KillLeftovers();
        }

        int status;
        Rusage usage;
        while (LibC.Wait4(_pid, &status, 0, &usage) == -1)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error != LibC.Eintr)
            {
                throw WaitFailed("wait4", error);
            }
        }

        return (status, usage);
    }

    /// <summary>Counts what the exited child left running in its process group (see <see cref="ProcessGroup"/>), then kills it.</summary>
    private void KillLeftovers()
    {
        _leftovers = ProcessGroup.LiveMembersBesides(_pid, Stopwatch.GetElapsedTime(_startTimestamp));
        _ = LibC.Kill(-_pid, LibC.SigKill);
    }

    private InvalidOperationException WaitFailed(string function, int error) =>
        error == LibC.Echild
            ? new InvalidOperationException(
                $"Child process {_pid} was reaped by someone else; this happens when SIGCHLD was ignored as the runtime started, since the runtime then reaps every child.")
            : new InvalidOperationException($"{function} for child process {_pid} failed: {Marshal.GetPInvokeErrorMessage(error)}");

    private void Terminate(bool cancelled)
    {
        lock (_gate)
        {
            if (_reaped)
            {
                return;
            }

            _cancelled |= cancelled;
            if (_terminating)
            {
                if (s_hurry) _ = LibC.Kill(-_pid, LibC.SigKill);
                return;
            }

            _terminating = true;
            _ = LibC.Kill(-_pid, LibC.SigTerm);
            if (_killGrace == TimeSpan.Zero || s_hurry)
            {
                _ = LibC.Kill(-_pid, LibC.SigKill);
            }
            else if (_killGrace != Timeout.InfiniteTimeSpan)
            {
                _killTimer = new Timer(static state => ((ChildRun)state!).KillGroup(), this, _killGrace, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void KillGroup()
    {
        lock (_gate)
        {
            if (!_reaped)
            {
                _ = LibC.Kill(-_pid, LibC.SigKill);
            }
        }
    }
}
