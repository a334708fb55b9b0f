using System.Runtime.InteropServices;

namespace Waybill.Core.Processes;

/// <summary>The glibc calls behind <see cref="ChildProcess"/>; constants are the Linux x86_64/aarch64 values.</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    public const int OCloexec = 0x80000;
    public const int ORdonly = 0;

    public const short PosixSpawnSetPgroup = 0x02;
    public const short PosixSpawnSetSigDef = 0x04;
    public const short PosixSpawnSetSigMask = 0x08;

    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigPipe = 13;
    public const int SigTerm = 15;
    public const int SigChld = 17;

    public const int Enoent = 2;
    public const int Esrch = 3;
    public const int Eintr = 4;
    public const int Echild = 10;
    public const int Enotdir = 20;
    public const int Etxtbsy = 26;

    public const int PPid = 1;
    public const int WExited = 4;
    public const int WNoHang = 1;
    public const int WNoWait = 0x01000000;

    public const int XOk = 1;
    public const int WOk = 2;

    public const int LockExclusive = 2;
    public const int LockNonBlocking = 4;
    public const int EWouldBlock = 11;

    // glibc: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128, siginfo_t 128.
    // The buffers are sized with headroom and declared as longs to guarantee 8-byte alignment.
    public const int FileActionsLongs = 32;
    public const int SpawnAttrLongs = 64;
    public const int SigSetLongs = 16;
    public const int SigInfoLongs = 16;

    // si_pid follows si_signo, si_errno, si_code and padding that aligns the union to 8 bytes.
    public const int SigInfoPidIndex = 4;

    [LibraryImport(Library, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport(Library, EntryPoint = "posix_spawn")]
    public static partial int PosixSpawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(void* fileActions);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(void* fileActions);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(void* fileActions, int fd, int newFd);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_addclose")]
    public static partial int FileActionsAddClose(void* fileActions, int fd);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_addopen")]
    public static partial int FileActionsAddOpen(void* fileActions, int fd, byte* path, int flags, uint mode);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    public static partial int FileActionsAddChdir(void* fileActions, byte* path);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_init")]
    public static partial int SpawnAttrInit(void* attr);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_destroy")]
    public static partial int SpawnAttrDestroy(void* attr);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setflags")]
    public static partial int SpawnAttrSetFlags(void* attr, short flags);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setpgroup")]
    public static partial int SpawnAttrSetPgroup(void* attr, int pgroup);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int SpawnAttrSetSigMask(void* attr, void* sigset);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int SpawnAttrSetSigDefault(void* attr, void* sigset);

    [LibraryImport(Library, EntryPoint = "sigemptyset")]
    public static partial int SigEmptySet(void* sigset);

    [LibraryImport(Library, EntryPoint = "sigaddset")]
    public static partial int SigAddSet(void* sigset, int signal);

    /// <summary>Room for glibc's <c>struct sigaction</c> (152 bytes on x86-64 and aarch64, its handler first), with some to spare.</summary>
    public const int SigActionBytes = 256;
    public const nint SigIgn = 1;

    [LibraryImport(Library, EntryPoint = "sigaction")]
    public static partial int SigAction(int signal, void* action, void* oldAction);

    [LibraryImport(Library, EntryPoint = "waitid", SetLastError = true)]
    public static partial int WaitId(int idType, int id, void* info, int options);

    [LibraryImport(Library, EntryPoint = "wait4", SetLastError = true)]
    public static partial int Wait4(int pid, int* status, int options, Rusage* usage);

    [LibraryImport(Library, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport(Library, EntryPoint = "getpgrp")]
    public static partial int GetPgrp();

    public const int RusageSelf = 0;

    [LibraryImport(Library, EntryPoint = "getrusage")]
    public static partial int GetRusage(int who, Rusage* usage);

    /// <summary>
    /// CLOCK_THREAD_CPUTIME_ID: the calling thread's CPU time to the nanosecond, the time it has run so far included
    /// (getrusage's RUSAGE_THREAD moves only once per scheduler tick, 4 ms here).
    /// </summary>
    public const int ClockThreadCpuTime = 3;

    /// <summary>Seconds and nanoseconds (struct timespec on 64-bit Linux), written at <paramref name="time"/>.</summary>
    [LibraryImport(Library, EntryPoint = "clock_gettime")]
    public static partial int ClockGetTime(int clock, long* time);

    [LibraryImport(Library, EntryPoint = "sysconf")]
    public static partial long SysConf(int name);

    /// <summary>sysconf name of the clock ticks per second that /proc/&lt;pid&gt;/stat counts CPU time in.</summary>
    public const int ScClkTck = 2;

    public const int EAcces = 13;
    public const int EPerm = 1;

    [LibraryImport(Library, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string from, string to);

    [LibraryImport(Library, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(SafeHandle fd, int operation);

    [LibraryImport(Library, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Access(string path, int mode);

    // Sockets, polling and pidfds for the process spawner (SpawnerServer, ProcessSpawner).
    public const int AfUnix = 1;
    public const int SockStream = 1;
    public const int SockCloexec = 0x80000;
    public const int SolSocket = 1;
    public const int ScmRights = 1;
    public const int MsgNoSignal = 0x4000;
    public const int MsgCmsgCloexec = 0x40000000;
    public const short PollIn = 0x001;
    public const int FSetFd = 2;
    public const int FdCloexec = 1;
    public const int OWronly = 1;
    public const int PPidFd = 3;
    public const int CldExited = 1;
    public const int CldDumped = 3;

    // siginfo_t for SIGCHLD, as ints: si_code at 2, si_pid at 4, si_status at 6.
    public const int SigInfoCodeIndex = 2;
    public const int SigInfoStatusIndex = 6;

    // New system calls share one number on every architecture; waitid's differs (glibc's wrapper drops the rusage).
    private const long SysPidfdOpen = 434;
    private static readonly long SysWaitId = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 95 : 247;

    [LibraryImport(Library, EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Library, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport(Library, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport(Library, EntryPoint = "pread64", SetLastError = true)]
    public static partial nint PRead(int fd, byte* buffer, nint count, long offset);

    [LibraryImport(Library, EntryPoint = "pwrite64", SetLastError = true)]
    public static partial nint PWrite(int fd, byte* buffer, nint count, long offset);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5);

    /// <summary>pidfd_open(2): a descriptor that polls readable once the process has exited.</summary>
    public static int PidFdOpen(int pid) => (int)Syscall(SysPidfdOpen, pid, 0, 0, 0, 0);

    /// <summary>The waitid system call itself, which also fills in the resource usage (with WNOWAIT too, since Linux 2.6.29).</summary>
    public static int WaitIdWithUsage(int idType, int id, void* info, int options, Rusage* usage) =>
        (int)Syscall(SysWaitId, idType, id, (long)info, options, (long)usage);
}

/// <summary>struct msghdr on 64-bit Linux.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MsgHdr
{
    public void* Name;
    public int NameLength;
    public IoVec* Iov;
    public nuint IovLength;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}

/// <summary>struct iovec.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public void* Base;
    public nuint Length;
}

/// <summary>struct pollfd.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short Revents;
}
