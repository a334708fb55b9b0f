namespace Waybill.Core.Processes;

/// <summary>
/// posix_spawn with what every program Waybill starts needs: its own process group (so a cancellation can signal its
/// whole tree), a clean signal state (the runtime ignores SIGPIPE, and exec keeps ignored dispositions and the blocked
/// mask), stdin on /dev/null, and the given descriptors moved into place.
/// </summary>
internal static unsafe class PosixSpawn
{
    // The highest signal number on Linux (SIGRTMAX).
    private const int LastSignal = 64;

    // Starts of a program file found busy (ETXTBSY), a millisecond apart, before the error is reported.
    internal const int BusyAttempts = 5;

    /// <summary>
    /// The signals a child starts with at their default: SIGINT, SIGTERM, SIGPIPE (which the runtime ignores) and SIGCHLD
    /// always, and every other one this process does not ignore (nohup's SIGHUP stays ignored across exec, as POSIX says).
    /// Naming each spares glibc's child a query of every signal not named before it resets it: about 125 rt_sigaction calls
    /// per spawn before, 67 after (strace), made while the spawner waits for the child's exec (perf sched: median 86 µs,
    /// 90th percentile 437 µs). Taken once, as the first spawn starts: a signal this process ignores only later still
    /// reaches the commands at its default (the runtime changes none after it starts).
    /// </summary>
    private static readonly int[] ResetSignals = SignalsToReset();

    private static int[] SignalsToReset()
    {
        var reset = new List<int>(LastSignal);
        var old = stackalloc byte[LibC.SigActionBytes];
        for (var signal = 1; signal <= LastSignal; signal++)
        {
            if (LibC.SigAction(signal, null, old) != 0) continue; // glibc's own signals, or none by that number
            if (*(nint*)old == LibC.SigIgn && signal is not (LibC.SigInt or LibC.SigTerm or LibC.SigPipe or LibC.SigChld)) continue;
            reset.Add(signal);
        }
        return [.. reset];
    }

    /// <summary>
    /// The ignored signals a child gets back at their default (SIGINT, SIGTERM, SIGPIPE, SIGCHLD, when this process ignores
    /// them); the rest of <see cref="ResetSignals"/> are handled here, and a handler never survives an exec.
    /// </summary>
    internal static int[] IgnoredSignalsToReset()
    {
        var ignored = new List<int>();
        var old = stackalloc byte[LibC.SigActionBytes];
        foreach (var signal in ResetSignals)
            if (LibC.SigAction(signal, null, old) == 0 && *(nint*)old == LibC.SigIgn) ignored.Add(signal);
        return [.. ignored];
    }

    /// <summary>Returns 0 with the new pid, or the errno of the step that failed.</summary>
    /// <param name="workingDirectory">Where the program starts; null for the current directory.</param>
    /// <param name="moves">Descriptors to duplicate onto others in the child (a duplicate does not close on exec).</param>
    /// <param name="closes">Descriptors to close in the child before the moves.</param>
    /// <param name="whileBusy">What is done between starts of a busy program file; null: a millisecond's wait.</param>
    public static int Start(
        byte* path,
        byte** argv,
        byte** envp,
        byte* workingDirectory,
        ReadOnlySpan<(int From, int To)> moves,
        ReadOnlySpan<int> closes,
        out int pid,
        Action? whileBusy = null)
    {
        pid = 0;
        var fileActions = stackalloc long[LibC.FileActionsLongs];
        var attr = stackalloc long[LibC.SpawnAttrLongs];
        var emptyMask = stackalloc long[LibC.SigSetLongs];
        var defaultSignals = stackalloc long[LibC.SigSetLongs];
        int error;
        if ((error = LibC.FileActionsInit(fileActions)) != 0) return error;
        if ((error = LibC.SpawnAttrInit(attr)) != 0)
        {
            _ = LibC.FileActionsDestroy(fileActions);
            return error;
        }

        try
        {
            foreach (var fd in closes)
            {
                if ((error = LibC.FileActionsAddClose(fileActions, fd)) != 0) return error;
            }

            foreach (var (from, to) in moves)
            {
                if ((error = LibC.FileActionsAddDup2(fileActions, from, to)) != 0) return error;
            }

            fixed (byte* devNull = "/dev/null\0"u8)
            {
                if ((error = LibC.FileActionsAddOpen(fileActions, 0, devNull, LibC.ORdonly, 0)) != 0) return error;
            }

            if (workingDirectory != null && (error = LibC.FileActionsAddChdir(fileActions, workingDirectory)) != 0) return error;

            _ = LibC.SigEmptySet(emptyMask);
            _ = LibC.SigEmptySet(defaultSignals);
            foreach (var signal in ResetSignals)
            {
                _ = LibC.SigAddSet(defaultSignals, signal);
            }

            if ((error = LibC.SpawnAttrSetFlags(attr, LibC.PosixSpawnSetPgroup | LibC.PosixSpawnSetSigMask | LibC.PosixSpawnSetSigDef)) != 0
                || (error = LibC.SpawnAttrSetPgroup(attr, 0)) != 0
                || (error = LibC.SpawnAttrSetSigMask(attr, emptyMask)) != 0
                || (error = LibC.SpawnAttrSetSigDefault(attr, defaultSignals)) != 0)
            {
                return error;
            }

            int child;
            // A program file that a thread of this process had open for writing while a start elsewhere in the process copied
            // its descriptors is "busy" (ETXTBSY) until that child has started its own program, a moment later: a stage that
            // writes a script for the next one, or a test. Tried again a few times, a millisecond apart.
            for (var attempt = 1; ; attempt++)
            {
                error = LibC.PosixSpawn(&child, path, fileActions, attr, argv, envp);
                if (error != LibC.Etxtbsy || attempt == BusyAttempts) break;
                if (whileBusy is null) Thread.Sleep(1);
                else whileBusy();
            }
            pid = error == 0 ? child : 0;
            return error;
        }
        finally
        {
            _ = LibC.SpawnAttrDestroy(attr);
            _ = LibC.FileActionsDestroy(fileActions);
        }
    }
}
