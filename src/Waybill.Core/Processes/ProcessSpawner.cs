using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace Waybill.Core.Processes;

/// <summary>
/// The engine's end of one spawner process (<see cref="SpawnerServer"/>): sends it spawn requests with the child's output
/// pipes, and a reader thread completes each child's start and exit from its replies. When the spawner ends, requests it
/// had not confirmed fail, and the children it had started are killed (nothing could report their exit any more).
/// </summary>
internal sealed unsafe class ProcessSpawner : IDisposable
{
    // A host that ignores the spawner argument would never answer; a real spawner answers in milliseconds.
    private const int ReadyTimeoutMilliseconds = 10_000;
    private const int ShutdownReadWrite = 2;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly Lock _sendGate = new();
    private readonly ConcurrentDictionary<long, SpawnedChild> _starting = new();
    private readonly ConcurrentDictionary<int, SpawnedChild> _running = new();
    private readonly int _socket;

    // Releases not sent yet (guarded by _sendGate): they ride with the next spawn request, or go as soon as no other child
    // is starting or running, so the spawner wakes once per command for them instead of once more.
    private SpawnerRequest[] _releases = new SpawnerRequest[8];
    private int _releaseCount;
    private long _nextId;
    private readonly bool _ownerReads;
    private Thread? _replies;
    private bool _closed;
    private volatile string? _ended;

    private ProcessSpawner(int socket, int pid, long peakKiB, bool ownerReads)
    {
        _socket = socket;
        _ownerReads = ownerReads;
        ProcessId = pid;
        PeakBytes = peakKiB * 1024;
    }

    /// <summary>Pid of the spawner process.</summary>
    public int ProcessId { get; }

    /// <summary>The spawner's peak RSS when it became ready.</summary>
    public long PeakBytes { get; }

    /// <summary>Null while the spawner serves; afterwards how it ended ("was killed by signal 9").</summary>
    public string? Ended => _ended;

    /// <summary>Starts the spawner program (<paramref name="command"/>: its absolute path and arguments) and waits until it is ready.</summary>
    /// <exception cref="ProcessStartException">It could not be started, or ended or stayed silent instead of answering.</exception>
    public static ProcessSpawner Start(IReadOnlyList<string> command) => Start(command, ownerReads: false);

    /// <summary>
    /// Starts the spawner; with <paramref name="ownerReads"/> no thread reads its replies: the one thread that uses it does,
    /// through <see cref="ReadReply"/>, whenever <see cref="Socket"/> is readable (a command slot's, see <see cref="SpawnerSlot"/>).
    /// </summary>
    internal static ProcessSpawner Start(IReadOnlyList<string> command, bool ownerReads)
    {
        var fds = stackalloc int[2];
        if (LibC.SocketPair(LibC.AfUnix, LibC.SockStream | LibC.SockCloexec, 0, fds) != 0)
            throw new ProcessStartException($"Failed to create the process spawner's socket: {Marshal.GetLastPInvokeErrorMessage()}");
        int engineEnd = fds[0], spawnerEnd = fds[1], pid;
        try
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables()) environment[(string)entry.Key] = (string?)entry.Value ?? "";
            var spec = new ProcessSpec(command[0], [.. command.Skip(1)], "", environment);
            var block = NativeArguments.Build(command[0], spec, out var path, out _, out var argv, out var envp);
            try
            {
                var error = PosixSpawn.Start(path, argv, envp, null, [(spawnerEnd, 3)], [], out pid);
                if (error != 0) throw new ProcessStartException($"Failed to start the process spawner '{command[0]}': {Marshal.GetPInvokeErrorMessage(error)}.");
            }
            finally
            {
                NativeMemory.Free(block);
            }
        }
        catch
        {
            _ = LibC.Close(engineEnd);
            throw;
        }
        finally
        {
            _ = LibC.Close(spawnerEnd);
        }

        var ready = AwaitReady(engineEnd, pid, command[0]);
        var spawner = new ProcessSpawner(engineEnd, pid, ready.SpawnerPeakKiB, ownerReads);
        if (ownerReads) return spawner;
        spawner._replies = new Thread(spawner.ReadReplies) { IsBackground = true, Name = "Waybill process spawner replies" };
        // Started for every later command of the run: it must not keep the execution context of the stage that came first.
        spawner._replies.UnsafeStart();
        return spawner;
    }

    /// <summary>
    /// Asks the spawner to start <paramref name="executable"/> with the spec's argv, environment and working directory,
    /// its stdout and stderr on the given descriptors (which the caller may close once this returns).
    /// The task completes when the child runs, faults with <see cref="ProcessStartException"/> when it could not be started,
    /// and with <see cref="SpawnerUnavailableException"/> when the spawner had already ended.
    /// </summary>
    public Task<SpawnedChild> SpawnAsync(string executable, ProcessSpec spec, int stdout, int stderr)
    {
        var child = new SpawnedChild(this, executable, spec.WorkingDirectory);
        var id = Interlocked.Increment(ref _nextId);
        var environmentCount = spec.Environment.Count;
        var length = Size(executable) + Size(spec.WorkingDirectory) + Size(spec.FileName);
        foreach (var argument in spec.Arguments) length += Size(argument);
        // A shared environment goes as the bytes it was encoded to once; only what a stage sets over it is encoded here.
        var layered = spec.Environment is LayeredEnvironment { Shared.Valid: true } valid ? valid : null;
        if (layered is not null) length += layered.Shared.EncodedSize(layered.Set, layered.ShadowsShared);
        foreach (var (key, value) in layered?.Set ?? spec.Environment) length += Size(key) + Size(value);
        if (length > SpawnerProtocol.MaxBodyBytes)
            return Task.FromException<SpawnedChild>(new ProcessStartException($"Failed to start '{executable}': its arguments and environment take {length} bytes, more than the {SpawnerProtocol.MaxBodyBytes} a command may have."));

        var body = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var at = Put(body, 0, executable);
            at = Put(body, at, spec.WorkingDirectory);
            at = Put(body, at, spec.FileName);
            foreach (var argument in spec.Arguments) at = Put(body, at, argument);
            if (layered is not null) at += layered.Shared.CopyTo(body.AsSpan(at), layered.Set, layered.ShadowsShared);
            foreach (var (key, value) in layered?.Set ?? spec.Environment)
            {
                at = Put(body, at, key);
                body[at - 1] = (byte)'=';
                at = Put(body, at, value);
            }

            var request = new SpawnerRequest
            {
                Kind = SpawnerProtocol.Spawn,
                BodyLength = at,
                Id = id,
                ArgumentCount = 1 + spec.Arguments.Count,
                EnvironmentCount = environmentCount,
            };
            _starting[id] = child;
            if (!Send(request, body, [stdout, stderr]))
            {
                _starting.TryRemove(id, out _);
                return Task.FromException<SpawnedChild>(new SpawnerUnavailableException($"the process spawner {_ended ?? "stopped answering"}"));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }

        // The spawner may have ended between the send and the registration being seen.
        if (_ended is { } ended && _starting.TryRemove(id, out _)) child.Started.TrySetException(Lost(child, ended, started: false));
        return child.Started.Task;
    }

    /// <summary>
    /// Lets the spawner reap the exited child: at once when no other child is starting or running, else with the next
    /// request. The caller has killed what was left of its process group; until the spawner reaps the child, its zombie
    /// keeps the process group id reserved, so that kill signalled nothing else.
    /// </summary>
    public void Release(int pid)
    {
        lock (_sendGate)
        {
            if (_releaseCount == _releases.Length) Array.Resize(ref _releases, _releases.Length * 2);
            _releases[_releaseCount++] = new SpawnerRequest { Kind = SpawnerProtocol.Release, Id = pid };
        }

        SendReleasesWhenIdle();
    }

    /// <summary>
    /// Closes the socket, then waits up to <paramref name="timeout"/> for the spawner to exit and be reaped: its commands'
    /// CPU time then counts in this process's children (what GNU time or a batch system reports for the run), and no
    /// spawner outlives the run.
    /// </summary>
    public void Stop(TimeSpan timeout)
    {
        Dispose();
        lock (_sendGate)
        {
            // An owner that reads its own replies has stopped reading: a thread takes the rest, and reaps the spawner.
            if (_replies is null && _ended is null)
            {
                _replies = new Thread(ReadReplies) { IsBackground = true, Name = "Waybill process spawner replies" };
                _replies.UnsafeStart();
            }
        }

        _ = _replies?.Join(timeout);
    }

    /// <summary>Sends what is left to release, then closes the socket; the spawner sees the end of its input and exits.</summary>
    public void Dispose()
    {
        lock (_sendGate)
        {
            if (_closed) return;
            _ = SendReleasesLocked();
            _ = LibC.Shutdown(_socket, ShutdownReadWrite);
        }
    }

    /// <summary>Sends the pending releases when no child is starting or running (none would carry them soon).</summary>
    private void SendReleasesWhenIdle()
    {
        // An owner's next command carries them, or its stop does: a release of its own would wake the spawner once more per
        // command. Until then the zombie keeps its process group id reserved, which harms nothing.
        if (_ownerReads) return;
        lock (_sendGate)
        {
            if (_releaseCount > 0 && _starting.IsEmpty && _running.IsEmpty) _ = SendReleasesLocked();
        }
    }

    private bool SendReleasesLocked()
    {
        if (_releaseCount == 0 || _closed || _ended != null) return true;
        fixed (SpawnerRequest* releases = _releases)
        {
            var iov = new IoVec { Base = releases, Length = (nuint)(_releaseCount * sizeof(SpawnerRequest)) };
            _releaseCount = 0;
            return SendAll(&iov, 1, null, 0);
        }
    }

    private static SpawnerReply AwaitReady(int socket, int pid, string program)
    {
        var poll = new PollFd { Fd = socket, Events = LibC.PollIn };
        SpawnerReply reply;
        // poll is never restarted after a signal, and the runtime signals its threads (to suspend them for a GC, say):
        // an interrupted wait goes on for the time that is left rather than take the spawner for dead.
        var deadline = Environment.TickCount64 + ReadyTimeoutMilliseconds;
        int ready;
        while ((ready = LibC.Poll(&poll, 1, (int)Math.Max(0, deadline - Environment.TickCount64))) < 0
            && Marshal.GetLastPInvokeError() == LibC.Eintr && Environment.TickCount64 < deadline)
        {
        }

        if (ready == 1 && ReadFully(socket, (byte*)&reply, sizeof(SpawnerReply))
            && reply.Kind == SpawnerProtocol.Ready)
        {
            return reply;
        }

        _ = LibC.Close(socket);
        _ = LibC.Kill(pid, LibC.SigKill);
        throw new ProcessStartException($"The process spawner '{program}' {Reap(pid)} instead of answering.");
    }

    /// <summary>Whether the thread that uses it reads its replies (see <see cref="Start(IReadOnlyList{string}, bool)"/>).</summary>
    internal bool OwnerReads => _ownerReads;

    /// <summary>The socket its replies come on, for the owner to poll (see <see cref="Start(IReadOnlyList{string}, bool)"/>).</summary>
    internal int Socket => _socket;

    /// <summary>
    /// Reads one reply and completes the child it is about; call it only when <see cref="Socket"/> is readable. False when
    /// the spawner has ended: every child it had is then failed or killed, as the reply thread does.
    /// </summary>
    internal bool ReadReply()
    {
        if (_ended is not null) return false;
        // Every reply there is, in one read: a short command's Started and Exited come in one write.
        const int Most = 4;
        var replies = stackalloc SpawnerReply[Most];
        nint read;
        while ((read = LibC.Read(_socket, (byte*)replies, Most * sizeof(SpawnerReply))) < 0 && Marshal.GetLastPInvokeError() == LibC.Eintr)
        {
        }

        var whole = read <= 0 ? 0 : (int)(read / sizeof(SpawnerReply));
        var part = read <= 0 ? 0 : (int)(read % sizeof(SpawnerReply));
        if (read <= 0 || (part > 0 && !ReadFully(_socket, (byte*)&replies[whole] + part, sizeof(SpawnerReply) - part)))
        {
            for (var i = 0; i < whole; i++) Dispatch(replies[i]);
            EndServing();
            return false;
        }

        for (var i = 0; i < whole + (part > 0 ? 1 : 0); i++) Dispatch(replies[i]);
        return true;
    }

    private void ReadReplies()
    {
        SpawnerReply reply;
        while (ReadFully(_socket, (byte*)&reply, sizeof(SpawnerReply))) Dispatch(reply);
        EndServing();
    }

    private void Dispatch(in SpawnerReply reply)
    {
        switch (reply.Kind)
        {
            case SpawnerProtocol.Started when _starting.TryRemove(reply.Id, out var child):
                child.Pid = reply.Pid;
                child.SpawnerPeakBytes = reply.SpawnerPeakKiB * 1024;
                _running[reply.Pid] = child;
                child.Started.TrySetResult(child);
                break;
            case SpawnerProtocol.Failed when _starting.TryRemove(reply.Id, out var child):
                child.Started.TrySetException(ChildRun.SpawnFailed(child.Executable, child.WorkingDirectory, reply.Value));
                SendReleasesWhenIdle();
                break;
            case SpawnerProtocol.Exited when _running.TryRemove(reply.Pid, out var child):
                child.SpawnerPeakBytes = reply.SpawnerPeakKiB * 1024;
                var usage = new Rusage
                {
                    UserTime = Micro(reply.UserMicroseconds),
                    SystemTime = Micro(reply.SystemMicroseconds),
                    MaxRssKiB = reply.MaxRssKiB,
                    BlockInputs = reply.InBlocks,
                    BlockOutputs = reply.OutBlocks,
                };
                child.SetExited(reply.Value, usage);
                break;
        }
    }

    /// <summary>The spawner's socket closed: it is reaped, and what it had not reported fails or is killed.</summary>
    private void EndServing()
    {
        var ended = Reap(ProcessId);
        lock (_sendGate)
        {
            _ended = ended;
            _closed = true;
            _ = LibC.Close(_socket);
        }

        foreach (var (id, child) in _starting)
        {
            if (_starting.TryRemove(id, out _)) child.Started.TrySetException(Lost(child, ended, started: false));
        }

        foreach (var (pid, child) in _running)
        {
            if (!_running.TryRemove(pid, out _)) continue;
            // Nothing can report this child's exit any more: it goes now rather than run unaccounted.
            _ = LibC.Kill(-pid, LibC.SigKill);
            child.SetLost(Lost(child, ended, started: true));
        }
    }

    private static ProcessLostException Lost(SpawnedChild child, string ended, bool started) => started
        ? new ProcessLostException($"The process spawner {ended} while '{child.Executable}' ran (pid {child.Pid}): the command was killed and its exit status is unknown; run it again.")
        : new ProcessLostException($"The process spawner {ended} before it confirmed the start of '{child.Executable}'; run it again.");

    private static Timeval Micro(long microseconds) => new() { Seconds = microseconds / 1_000_000, Microseconds = microseconds % 1_000_000 };

    /// <summary>Sends a request with its body and descriptors, followed by the pending releases, in one message.</summary>
    private bool Send(SpawnerRequest request, byte[] body, ReadOnlySpan<int> fds)
    {
        lock (_sendGate)
        {
            if (_closed || _ended != null) return false;
            fixed (byte* bodyBytes = body)
            fixed (SpawnerRequest* releases = _releases)
            fixed (int* descriptors = fds)
            {
                var iov = stackalloc IoVec[3];
                iov[0] = new IoVec { Base = &request, Length = (nuint)sizeof(SpawnerRequest) };
                iov[1] = new IoVec { Base = bodyBytes, Length = (nuint)request.BodyLength };
                iov[2] = new IoVec { Base = releases, Length = (nuint)(_releaseCount * sizeof(SpawnerRequest)) };
                _releaseCount = 0;
                return SendAll(iov, 3, descriptors, fds.Length);
            }
        }
    }

    /// <summary>Writes every byte of the vectors (under _sendGate), the descriptors with the first write.</summary>
    private bool SendAll(IoVec* iov, int count, int* fds, int fdCount)
    {
        var control = stackalloc long[3];
        var message = new MsgHdr { Iov = iov, IovLength = (nuint)count };
        if (fdCount > 0)
        {
            // One cmsghdr (length, level, type) followed by the descriptors.
            control[0] = 16 + (fdCount * sizeof(int));
            ((int*)control)[2] = LibC.SolSocket;
            ((int*)control)[3] = LibC.ScmRights;
            for (var i = 0; i < fdCount; i++) ((int*)control)[4 + i] = fds[i];
            message.Control = control;
            message.ControlLength = (nuint)(16 + (((fdCount * sizeof(int)) + 7) & ~7));
        }

        nint sent;
        while ((sent = LibC.SendMsg(_socket, &message, LibC.MsgNoSignal)) < 0)
        {
            if (Marshal.GetLastPInvokeError() != LibC.Eintr) return false;
        }

        // A large body may go in several writes; the descriptors went with the first.
        var segment = 0;
        var written = (nuint)sent;
        while (segment < count)
        {
            if (written >= iov[segment].Length)
            {
                written -= iov[segment].Length;
                segment++;
                continue;
            }

            var more = LibC.Write(_socket, (byte*)iov[segment].Base + written, (int)(iov[segment].Length - written));
            if (more < 0 && Marshal.GetLastPInvokeError() == LibC.Eintr) continue;
            if (more <= 0) return false;
            written += (nuint)more;
        }

        return true;
    }

    /// <summary>Waits for the spawner process to end and says how it did.</summary>
    private static string Reap(int pid)
    {
        int status;
        while (LibC.Wait4(pid, &status, 0, null) == -1)
        {
            if (Marshal.GetLastPInvokeError() != LibC.Eintr) return "ended";
        }

        var signal = status & 0x7f;
        return signal != 0 ? $"was killed by signal {signal}" : $"exited with code {(status >> 8) & 0xff}";
    }

    private static bool ReadFully(int fd, byte* buffer, int count)
    {
        while (count > 0)
        {
            var read = LibC.Read(fd, buffer, count);
            if (read < 0 && Marshal.GetLastPInvokeError() == LibC.Eintr) continue;
            if (read <= 0) return false;
            buffer += read;
            count -= (int)read;
        }

        return true;
    }

    private static int Size(string value) => Utf8.GetByteCount(value) + 1;

    private static int Put(byte[] body, int at, string value)
    {
        var written = Utf8.GetBytes(value, body.AsSpan(at));
        body[at + written] = 0;
        return at + written + 1;
    }
}
