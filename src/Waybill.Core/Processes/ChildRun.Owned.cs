using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Waybill.Core.Processes;

/// <summary>
/// A child of a spawner whose replies the calling thread reads itself (<see cref="ProcessSpawner.OwnerReads"/>): one poll
/// over the spawner's socket and the two output pipes, on this thread, until the child has exited and its output has ended.
/// No other thread wakes per command (the shared spawner's reply thread, the runtime's epoll thread and a pool thread for
/// each reply and each stream did: 3,000 no-op commands made 54,000 context switches against xargs's 7,800).
/// </summary>
internal sealed partial class ChildRun
{
    private static unsafe Task<ProcessResult> RunOwned(
        string executable,
        ProcessSpec spec,
        Action<string> onStdoutLine,
        Action<string> onStderrLine,
        OutputLimits stdoutLimits,
        OutputLimits stderrLimits,
        TimeSpan killGrace,
        ProcessSpawner spawner,
        CancellationToken cancellationToken)
    {
        SafePipeHandle? stdoutRead = null, stdoutWrite = null, stderrRead = null, stderrWrite = null;
        try
        {
            CreatePipe(out stdoutRead, out stdoutWrite);
            CreatePipe(out stderrRead, out stderrWrite);
            var startTimestamp = Stopwatch.GetTimestamp();
            var started = spawner.SpawnAsync(executable, spec, (int)stdoutWrite.DangerousGetHandle(), (int)stderrWrite.DangerousGetHandle());
            // The request holds its own copies of the write ends once sent; ours must go, or the reads would never end.
            stdoutWrite.Dispose();
            stderrWrite.Dispose();
            while (!started.IsCompleted && AwaitReply(spawner))
            {
            }

            var spawned = started.GetAwaiter().GetResult();
            spec.Started?.Invoke(spawned.Pid);
            var run = new ChildRun(spawned.Pid, spawned, startTimestamp, killGrace);
            s_live.TryAdd(run, 0);
            if (cancellationToken.CanBeCanceled)
            {
                run._registration = cancellationToken.UnsafeRegister(static state => ((ChildRun)state!).Terminate(cancelled: true), run);
            }

            var (stdout, stderr) = run.PumpOwned(spawner, stdoutRead, new OutputReader(stdoutLimits, onStdoutLine),
                stderrRead, new OutputReader(stderrLimits, onStderrLine));
            stdoutRead = stderrRead = null;
            return run.CompleteAsync(Task.FromResult(stdout), Task.FromResult(stderr));
        }
#pragma warning disable CA1031 // Handed to the caller as the task's failure, as the other path's await would.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromException<ProcessResult>(ex);
        }
        finally
        {
            stdoutRead?.Dispose();
            stdoutWrite?.Dispose();
            stderrRead?.Dispose();
            stderrWrite?.Dispose();
        }
    }

    /// <summary>Waits until the spawner's socket is readable and takes one reply; false once the spawner has ended.</summary>
    private static unsafe bool AwaitReply(ProcessSpawner spawner)
    {
        var poll = new PollFd { Fd = spawner.Socket, Events = LibC.PollIn };
        while (LibC.Poll(&poll, 1, -1) < 0)
        {
            if (Marshal.GetLastPInvokeError() != LibC.Eintr) return spawner.ReadReply();
        }

        return spawner.ReadReply();
    }

    /// <summary>
    /// Reads both streams and the spawner's replies until the child has exited and both streams ended, or were given up
    /// (a callback failed, or output stayed open <see cref="Linger"/> twice over after the exit: see <see cref="WatchExit"/>).
    /// </summary>
    private unsafe ((Exception? Failure, OutputStats Stats) Stdout, (Exception? Failure, OutputStats Stats) Stderr) PumpOwned(
        ProcessSpawner spawner, SafePipeHandle stdoutRead, OutputReader stdoutReader, SafePipeHandle stderrRead, OutputReader stderrReader)
    {
        var exited = _spawned!.Exited;
        var stdout = new OwnedStream(stdoutRead, stdoutReader);
        var stderr = new OwnedStream(stderrRead, stderrReader);
        var fds = stackalloc PollFd[3];
        try
        {
            while (stdout.Open || stderr.Open || !exited.IsCompleted)
            {
                var count = 0;
                var spawnerAt = !exited.IsCompleted && spawner.Ended is null ? count++ : -1;
                var stdoutAt = stdout.Open ? count++ : -1;
                var stderrAt = stderr.Open ? count++ : -1;
                if (count == 0) break;
                if (spawnerAt >= 0) fds[spawnerAt] = new PollFd { Fd = spawner.Socket, Events = LibC.PollIn };
                if (stdoutAt >= 0) fds[stdoutAt] = new PollFd { Fd = stdout.Fd, Events = LibC.PollIn };
                if (stderrAt >= 0) fds[stderrAt] = new PollFd { Fd = stderr.Fd, Events = LibC.PollIn };
                // Output still open after the exit: woken every WatchPeriod to kill what holds it, then to stop reading.
                var timeout = exited.IsCompleted ? (int)WatchPeriod.TotalMilliseconds : -1;
                if (LibC.Poll(fds, (nuint)count, timeout) < 0)
                {
                    if (Marshal.GetLastPInvokeError() == LibC.Eintr) continue;
                    throw new IOException($"Failed to wait for a command's output: {Marshal.GetLastPInvokeErrorMessage()}");
                }

                if (spawnerAt >= 0 && fds[spawnerAt].Revents != 0) _ = spawner.ReadReply();
                if (stdoutAt >= 0 && fds[stdoutAt].Revents != 0) stdout.Read(this);
                if (stderrAt >= 0 && fds[stderrAt].Revents != 0) stderr.Read(this);
                if (exited.IsCompleted && (stdout.Open || stderr.Open))
                {
                    WatchExit();
                    if (_stopReading.IsCancellationRequested)
                    {
                        stdout.Close();
                        stderr.Close();
                    }
                }
            }
        }
        finally
        {
            stdout.Close();
            stderr.Close();
        }

        return (stdout.End(), stderr.End());
    }

    /// <summary>One output pipe read on the calling thread.</summary>
    private sealed class OwnedStream
    {
        private readonly SafePipeHandle _handle;
        private readonly OutputReader _reader;
        private Exception? _failure;

        public OwnedStream(SafePipeHandle handle, OutputReader reader)
        {
            _handle = handle;
            _reader = reader;
            reader.Begin();
        }

        public bool Open { get; private set; } = true;

        public int Fd => (int)_handle.DangerousGetHandle();

        public void Read(ChildRun run)
        {
            try
            {
                if (!_reader.ReadFrom(Fd)) Close();
            }
#pragma warning disable CA1031 // A callback failed (or the pipe did): the child is ended and the failure reaches the caller.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _failure = ex;
                run.Terminate(cancelled: false);
                Close();
            }
        }

        /// <summary>Stops reading: closing our end makes any further write of the child fail rather than block.</summary>
        public void Close()
        {
            Open = false;
            _handle.Dispose();
        }

        public (Exception? Failure, OutputStats Stats) End()
        {
            try
            {
                var stats = _reader.End();
                return (_failure, stats);
            }
#pragma warning disable CA1031 // A callback failed on the last lines.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return (_failure ?? ex, default);
            }
        }
    }
}
