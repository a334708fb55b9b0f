#if WAYBILL_CLONE_SPAWN
using System.Runtime.InteropServices;

namespace Waybill.Core.Processes;

/// <summary>
/// Starts children for the native process spawner through clone-spawn.c, which does what <see cref="PosixSpawn"/> does
/// with less work per child: a stack made once, signal handlers cleared by the kernel, the pidfd from the clone. Falls
/// back to <see cref="PosixSpawn"/> for good the first time clone3 is refused.
/// </summary>
internal static unsafe partial class CloneSpawn
{
    private static readonly int[] Defaults = PosixSpawn.IgnoredSignalsToReset();
    private static bool s_refused;

    /// <summary>As <see cref="PosixSpawn.Start"/>, with the child's pidfd; -1 for it when posix_spawn started the child.</summary>
    public static int Start(byte* path, byte** argv, byte** envp, byte* workingDirectory, ReadOnlySpan<(int From, int To)> moves,
        ReadOnlySpan<int> closes, out int pid, out int pidFd)
    {
        pid = 0;
        pidFd = -1;
        if (!s_refused)
        {
            var pairs = stackalloc int[moves.Length * 2];
            for (var i = 0; i < moves.Length; i++) (pairs[2 * i], pairs[2 * i + 1]) = moves[i];
            int error;
            fixed (int* closing = closes)
            fixed (int* defaults = Defaults)
            {
                int child, childFd;
                // A program file still open for writing somewhere is busy for a moment (see PosixSpawn.Start).
                for (var attempt = 1; ; attempt++)
                {
                    error = Spawn(path, argv, envp, workingDirectory, pairs, moves.Length, closing, closes.Length, defaults, Defaults.Length,
                        &child, &childFd);
                    if (error != LibC.Etxtbsy || attempt == PosixSpawn.BusyAttempts) break;
                    Thread.Sleep(1);
                }

                if (error == 0) (pid, pidFd) = (child, childFd);
            }

            if (error != Refused) return error;
            s_refused = true;
        }

        return PosixSpawn.Start(path, argv, envp, workingDirectory, moves, closes, out pid);
    }

    private const int Refused = -1;

    [LibraryImport("waybillclonespawn", EntryPoint = "waybill_clone_spawn")]
    private static partial int Spawn(byte* path, byte** argv, byte** envp, byte* workingDirectory, int* moves, int moveCount,
        int* closes, int closeCount, int* defaults, int defaultCount, int* pid, int* pidFd);
}
#endif
