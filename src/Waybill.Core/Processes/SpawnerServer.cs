using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Waybill.Core.Processes;

/// <summary>
/// The spawner process: started once per run by <see cref="ProcessSpawner"/> (a hidden mode of the waybill program), it
/// starts every command from its own small address space, so a command's peak RSS starts from the spawner's few MB
/// instead of the engine's peak, and reports each child's exit status and resource usage back. It reads requests on
/// descriptor 3 and exits when the engine closes it (the engine ended, however it ended). One thread, no allocations
/// per request: its peak stays where it started.
/// </summary>
public static unsafe class SpawnerServer
{
    /// <summary>The argument that starts this mode; a host checks for it before anything else.</summary>
    public const string Argument = "__waybill-process-spawner";

    private const int Socket = 3;

    // /proc/self/status is about 1.5 KB; VmHWM is in its first half.
    private const int StatusBytes = 4096;

    /// <summary>
    /// Serves the engine on descriptor 3 until it closes it, and returns the exit code: 0 then; 2 not on Linux or no socket;
    /// 3 no pidfds (Linux before 5.3); 4 poll failed; 5 a child could not be waited for; 6 a malformed request.
    /// </summary>
    public static int Run()
    {
        if (!OperatingSystem.IsLinux() || LibC.Fcntl(Socket, LibC.FSetFd, LibC.FdCloexec) != 0) return 2;
        // pidfds (Linux 5.3) tell the exits apart without reaping; without them there is nothing to serve.
        var self = LibC.PidFdOpen(Environment.ProcessId);
        if (self < 0) return 3;
        _ = LibC.Close(self);
        var server = new Server();
        try
        {
            return server.Serve();
        }
        finally
        {
            server.Dispose();
        }
    }

    private sealed class Server : IDisposable
    {
        // How long a child's Started reply is held back: one that exits sooner (a fan-out's no-op item: about 0.5 ms) has
        // its start and its exit reported in one write, which wakes the engine once instead of twice.
        private static readonly long StartedDelay = Stopwatch.Frequency * 2 / 1000;

        private int[] _pids = new int[16];
        private int[] _pidFds = new int[16];
        private bool[] _exited = new bool[16];
        // A child's Started reply, held back until it exits or StartedDelay has passed (_startedDue, 0 once sent).
        private SpawnerReply[] _started = new SpawnerReply[16];
        private long[] _startedDue = new long[16];
        private int[] _polled = new int[17];
        private int _count;
        private PollFd* _pollFds = (PollFd*)NativeMemory.Alloc(17, (nuint)sizeof(PollFd));
        private byte* _body = (byte*)NativeMemory.Alloc(64 * 1024);
        private int _bodyCapacity = 64 * 1024;
        private byte** _pointers = (byte**)NativeMemory.Alloc(1024, (nuint)sizeof(byte*));
        private int _pointerCapacity = 1024;
        private byte* _status = (byte*)NativeMemory.Alloc(StatusBytes);
        // Kept open and read again from its start when the peak is needed: an open, a close and a path walk less each time.
        private readonly int _statusFd = LibC.Open("/proc/self/status", LibC.ORdonly | LibC.OCloexec);
        // The peak last read (OwnPeakKiB). It only grows, so a child whose figure is at most this one is at most the peak it
        // started from, an upper bound, without reading it again (the read was 9% of the spawner's CPU, perf of 3,000 no-op
        // items, whose figures are all the spawner's).
        private long _peakKiB;

        // 0 when the engine closed the socket; otherwise why serving stopped.
        private int _exitCode;

        public void Dispose()
        {
            NativeMemory.Free(_pollFds);
            NativeMemory.Free(_body);
            NativeMemory.Free(_pointers);
            NativeMemory.Free(_status);
            if (_statusFd >= 0) _ = LibC.Close(_statusFd);
        }

        public int Serve()
        {
            _peakKiB = OwnPeakKiB();
            if (!Send(new SpawnerReply { Kind = SpawnerProtocol.Ready, SpawnerPeakKiB = _peakKiB })) return 0;
            while (true)
            {
                var polled = 0;
                _pollFds[0] = new PollFd { Fd = Socket, Events = LibC.PollIn };
                for (var i = 0; i < _count; i++)
                {
                    if (_exited[i]) continue;
                    _polled[polled] = i;
                    _pollFds[++polled] = new PollFd { Fd = _pidFds[i], Events = LibC.PollIn };
                }

                if (LibC.Poll(_pollFds, (nuint)(polled + 1), StartedWait()) < 0)
                {
                    if (Marshal.GetLastPInvokeError() == LibC.Eintr) continue;
                    return 4;
                }

                for (var slot = 1; slot <= polled; slot++)
                {
                    if (_pollFds[slot].Revents != 0 && !ReportExit(_polled[slot - 1])) return _exitCode;
                }

                if (!SendStartedDue()) return _exitCode;

                if (_pollFds[0].Revents != 0 && !Receive()) return _exitCode;
            }
        }

        /// <summary>Sends the exit of a child without reaping it; false when the engine is gone.</summary>
        private bool ReportExit(int index)
        {
            var info = stackalloc long[LibC.SigInfoLongs];
            Rusage usage;
            while (LibC.WaitIdWithUsage(LibC.PPidFd, _pidFds[index], info, LibC.WExited | LibC.WNoWait, &usage) != 0)
            {
                // Its own child is gone or cannot be waited for: nothing it reports can be trusted any more.
                if (Marshal.GetLastPInvokeError() != LibC.Eintr) return Fail(5);
            }

            _exited[index] = true;
            var code = ((int*)info)[LibC.SigInfoCodeIndex];
            var value = ((int*)info)[LibC.SigInfoStatusIndex];
            // Back to a wait status, as wait4 would have given it.
            var status = code == LibC.CldExited ? (value & 0xff) << 8 : (value & 0x7f) | (code == LibC.CldDumped ? 0x80 : 0);
            var replies = stackalloc SpawnerReply[2];
            var count = 0;
            // A start held back goes in the same write as the exit: the engine wakes once for both.
            if (_startedDue[index] != 0)
            {
                replies[count++] = _started[index];
                _startedDue[index] = 0;
            }

            // The child started from this process's peak then, at most its peak now: read again only where it decides.
            if (usage.MaxRssKiB > _peakKiB) _peakKiB = OwnPeakKiB();
            replies[count++] = new SpawnerReply
            {
                Kind = SpawnerProtocol.Exited,
                Pid = _pids[index],
                Id = _pids[index],
                Value = status,
                UserMicroseconds = (usage.UserTime.Seconds * 1_000_000) + usage.UserTime.Microseconds,
                SystemMicroseconds = (usage.SystemTime.Seconds * 1_000_000) + usage.SystemTime.Microseconds,
                MaxRssKiB = usage.MaxRssKiB,
                SpawnerPeakKiB = _peakKiB,
                InBlocks = usage.BlockInputs,
                OutBlocks = usage.BlockOutputs,
            };
            return Send(replies, count);
        }

        /// <summary>Milliseconds until the next held-back start is due; -1 when none is held.</summary>
        private int StartedWait()
        {
            var due = long.MaxValue;
            for (var i = 0; i < _count; i++)
            {
                if (_startedDue[i] != 0) due = Math.Min(due, _startedDue[i]);
            }

            if (due == long.MaxValue) return -1;
            var left = due - Stopwatch.GetTimestamp();
            return left <= 0 ? 0 : (int)Math.Ceiling(left * 1000.0 / Stopwatch.Frequency);
        }

        /// <summary>Sends the held-back starts whose time has come.</summary>
        private bool SendStartedDue()
        {
            var now = Stopwatch.GetTimestamp();
            for (var i = 0; i < _count; i++)
            {
                if (_startedDue[i] == 0 || _startedDue[i] > now) continue;
                _startedDue[i] = 0;
                if (!Send(_started[i])) return false;
            }

            return true;
        }

        /// <summary>Reads and serves one request; false when the engine closed the socket or broke the protocol.</summary>
        private bool Receive()
        {
            SpawnerRequest request;
            var control = stackalloc long[SpawnerProtocol.ControlBytes / sizeof(long)];
            var fds = stackalloc int[SpawnerProtocol.ControlBytes / sizeof(int)];
            var fdCount = 0;
            var iov = new IoVec { Base = &request, Length = (nuint)sizeof(SpawnerRequest) };
            var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = SpawnerProtocol.ControlBytes };
            nint read;
            while ((read = LibC.RecvMsg(Socket, &message, LibC.MsgCmsgCloexec)) < 0)
            {
                if (Marshal.GetLastPInvokeError() != LibC.Eintr) return false;
            }

            if (message.ControlLength >= 16 && ((int*)control)[2] == LibC.SolSocket && ((int*)control)[3] == LibC.ScmRights)
            {
                fdCount = ((int)((long*)control)[0] - 16) / sizeof(int);
                for (var i = 0; i < fdCount; i++) fds[i] = ((int*)control)[4 + i];
            }

            try
            {
                if (read == 0 || !ReadFully((byte*)&request + read, sizeof(SpawnerRequest) - (int)read)) return false;
                if (request.Kind == SpawnerProtocol.Release) return Release((int)request.Id);
                if (request.Kind != SpawnerProtocol.Spawn || request.BodyLength is < 0 or > SpawnerProtocol.MaxBodyBytes
                    || request.ArgumentCount is < 1 or > SpawnerProtocol.MaxBodyBytes / 2
                    || request.EnvironmentCount is < 0 or > SpawnerProtocol.MaxBodyBytes / 2)
                {
                    return Fail(6);
                }

                if (request.BodyLength > _bodyCapacity)
                {
                    _body = (byte*)NativeMemory.Realloc(_body, (nuint)request.BodyLength);
                    _bodyCapacity = request.BodyLength;
                }

                if (!ReadFully(_body, request.BodyLength)) return false;
                return fdCount == SpawnerProtocol.DescriptorCount
                    ? Spawn(request, fds[0], fds[1])
                    : Send(new SpawnerReply { Kind = SpawnerProtocol.Failed, Id = request.Id, Value = 9 /* EBADF */ });
            }
            finally
            {
                for (var i = 0; i < fdCount; i++) _ = LibC.Close(fds[i]);
            }
        }

        private bool Spawn(SpawnerRequest request, int stdout, int stderr)
        {
            var strings = 2 + request.ArgumentCount + request.EnvironmentCount;
            var pointers = strings + 2;
            if (pointers > _pointerCapacity)
            {
                _pointers = (byte**)NativeMemory.Realloc(_pointers, (nuint)pointers * (nuint)sizeof(byte*));
                _pointerCapacity = pointers;
            }

            // Layout: argv pointers, NULL, envp pointers, NULL; the path and working directory come first in the body.
            var cursor = _body;
            var end = _body + request.BodyLength;
            var path = Next(ref cursor, end);
            var workingDirectory = Next(ref cursor, end);
            var argv = _pointers;
            var envp = _pointers + request.ArgumentCount + 1;
            for (var i = 0; i < request.ArgumentCount; i++) argv[i] = Next(ref cursor, end);
            argv[request.ArgumentCount] = null;
            for (var i = 0; i < request.EnvironmentCount; i++) envp[i] = Next(ref cursor, end);
            envp[request.EnvironmentCount] = null;
            // A string that ran past the body left the cursor null; a body with more left over is as wrong.
            if (cursor != end) return Fail(6);

#if WAYBILL_CLONE_SPAWN
            var error = CloneSpawn.Start(path, argv, envp, *workingDirectory == 0 ? null : workingDirectory,
                [(stdout, 1), (stderr, 2)], [], out var pid, out var pidFd);
#else
            var error = PosixSpawn.Start(path, argv, envp, *workingDirectory == 0 ? null : workingDirectory,
                [(stdout, 1), (stderr, 2)], [], out var pid);
            var pidFd = -1;
#endif
            if (error != 0) return Send(new SpawnerReply { Kind = SpawnerProtocol.Failed, Id = request.Id, Value = error });

            if (pidFd < 0) pidFd = LibC.PidFdOpen(pid);
            if (pidFd < 0)
            {
                var failure = Marshal.GetLastPInvokeError();
                _ = LibC.Kill(-pid, LibC.SigKill);
                int status;
                _ = LibC.Wait4(pid, &status, 0, null);
                return Send(new SpawnerReply { Kind = SpawnerProtocol.Failed, Id = request.Id, Value = failure });
            }

            if (_count == _pids.Length) Grow();
            _pids[_count] = pid;
            _pidFds[_count] = pidFd;
            _exited[_count] = false;
            _started[_count] = new SpawnerReply { Kind = SpawnerProtocol.Started, Id = request.Id, Pid = pid, SpawnerPeakKiB = _peakKiB };
            _startedDue[_count] = Stopwatch.GetTimestamp() + StartedDelay;
            _count++;
            return true;
        }

        private bool Fail(int exitCode)
        {
            _exitCode = exitCode;
            return false;
        }

        /// <summary>Reaps the child: the engine has killed what was left of its process group (ChildRun.KillLeftovers).</summary>
        private bool Release(int pid)
        {
            var index = Array.IndexOf(_pids, pid, 0, _count);
            if (index < 0) return true;
            var info = stackalloc long[LibC.SigInfoLongs];
            while (LibC.WaitId(LibC.PPidFd, _pidFds[index], info, LibC.WExited) != 0 && Marshal.GetLastPInvokeError() == LibC.Eintr)
            {
            }

            _ = LibC.Close(_pidFds[index]);
            _count--;
            _pids[index] = _pids[_count];
            _pidFds[index] = _pidFds[_count];
            _exited[index] = _exited[_count];
            _started[index] = _started[_count];
            _startedDue[index] = _startedDue[_count];
            return true;
        }

        private void Grow()
        {
            var size = _pids.Length * 2;
            Array.Resize(ref _pids, size);
            Array.Resize(ref _pidFds, size);
            Array.Resize(ref _exited, size);
            Array.Resize(ref _started, size);
            Array.Resize(ref _startedDue, size);
            _polled = new int[size + 1];
            _pollFds = (PollFd*)NativeMemory.Realloc(_pollFds, (nuint)(size + 1) * (nuint)sizeof(PollFd));
        }

        /// <summary>The NUL-terminated string at the cursor, moving past it; null (and a null cursor) when the body ends first.</summary>
        private static byte* Next(ref byte* cursor, byte* end)
        {
            if (cursor == null) return null;
            var start = cursor;
            var length = new ReadOnlySpan<byte>(start, (int)(end - start)).IndexOf((byte)0);
            if (length < 0)
            {
                cursor = null;
                return null;
            }

            cursor = start + length + 1;
            return start;
        }

        /// <summary>
        /// The peak of this address space (VmHWM), where every child's count starts. Not getrusage's, which also holds
        /// the peak this process was exec'd from: the engine's.
        /// </summary>
        // Unknown: every figure is then an upper bound. Large, yet safe to turn into bytes (long.MaxValue KiB would overflow).
        private const long UnknownPeakKiB = long.MaxValue / 1024;

        private long OwnPeakKiB()
        {
            if (_statusFd < 0) return UnknownPeakKiB;
            nint length;
            while ((length = LibC.PRead(_statusFd, _status, StatusBytes, 0)) < 0 && Marshal.GetLastPInvokeError() == LibC.Eintr)
            {
            }

            var text = new ReadOnlySpan<byte>(_status, (int)Math.Max(0, length));
            var at = text.IndexOf("\nVmHWM:"u8);
            if (at < 0) return UnknownPeakKiB;
            long kib = 0;
            foreach (var c in text[(at + 7)..])
            {
                if (c is >= (byte)'0' and <= (byte)'9') kib = (kib * 10) + (c - '0');
                else if (c != ' ' && c != '\t') break;
            }

            return kib;
        }

        private static bool ReadFully(byte* buffer, int count)
        {
            while (count > 0)
            {
                var read = LibC.Read(Socket, buffer, count);
                if (read < 0 && Marshal.GetLastPInvokeError() == LibC.Eintr) continue;
                if (read <= 0) return false;
                buffer += read;
                count -= (int)read;
            }

            return true;
        }

        private static bool Send(SpawnerReply reply) => Send(&reply, 1);

        private static bool Send(SpawnerReply* replies, int number)
        {
            var buffer = (byte*)replies;
            var count = number * sizeof(SpawnerReply);
            while (count > 0)
            {
                var written = LibC.Write(Socket, buffer, count);
                if (written < 0 && Marshal.GetLastPInvokeError() == LibC.Eintr) continue;
                if (written <= 0) return false;
                buffer += written;
                count -= (int)written;
            }

            return true;
        }
    }
}
