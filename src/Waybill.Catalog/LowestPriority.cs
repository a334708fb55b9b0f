using System.Runtime.InteropServices;

namespace Waybill.Catalog;

/// <summary>
/// Lowers the calling thread to nice 19: Linux schedules threads, so it leaves the process's other threads (and the
/// stages' processes) as they are, and the thread gets the CPU time they leave idle.
/// </summary>
internal static partial class LowestPriority
{
    private const int PriorityOfProcess = 0; // PRIO_PROCESS: with a thread id, that thread
    private const int Nicest = 19;

    public static void ForThisThread()
    {
        if (!OperatingSystem.IsLinux()) return;
        // A failure (a system that refuses it) leaves the thread at its priority: indexing goes on, a little less politely.
        _ = SetPriority(PriorityOfProcess, GetThreadId(), Nicest);
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
