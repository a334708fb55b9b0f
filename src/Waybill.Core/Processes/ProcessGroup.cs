using System.Globalization;

namespace Waybill.Core.Processes;

/// <summary>
/// The processes of a command's process group, found in /proc. Only the pids handed out since the command started are
/// read: what a command starts gets a larger pid until the kernel's pid counter wraps (at pid_max, 32,768 on many
/// machines), so a scan reads the stat files of the few processes started since, not of the whole machine. After a wrap
/// (the last pid handed out, /proc/sys/kernel/ns_last_pid, is below a root's), the pids up to the last one are read too.
/// </summary>
internal static class ProcessGroup
{
    private const string LastPidFile = "/proc/sys/kernel/ns_last_pid";

    /// <summary>
    /// Commands that ran shorter than this are not scanned: a scan costs up to the 0.7 ms of CPU a whole sampling tick
    /// takes (the same pass and more; docs/performance.md, "Resource sampling"), as much as a short command's own
    /// bookkeeping, and so short a command leaving work behind is rare.
    /// </summary>
    public static readonly TimeSpan CountAfter = TimeSpan.FromMilliseconds(20);

    /// <summary>Live processes (not zombies) in process group <paramref name="groupId"/> other than its leader.</summary>
    public static int LiveMembersBesides(int groupId, TimeSpan ran)
    {
        if (ran < CountAfter) return 0;
        var count = 0;
        Span<byte> buffer = stackalloc byte[1024];
        foreach (var pid in PidsSince([groupId]))
        {
            if (pid != groupId && ProcStat.Read(pid, buffer) is { } stat && stat.ProcessGroup == groupId && !stat.IsZombie) count++;
        }
        return count;
    }

    /// <summary>
    /// The pids in /proc that may have been handed out since the oldest of <paramref name="roots"/> (and the roots
    /// themselves), in the order they were handed out: ascending, and after a wrap those above the last pid first.
    /// </summary>
    public static List<int> PidsSince(IReadOnlyCollection<int> roots)
    {
        var pids = new List<int>();
        if (roots.Count == 0) return pids;
        // Read before /proc is listed: a wrap after it leaves the new low pids to the next scan, not out of order in this one.
        var last = LastPid();
        var floor = roots.Min() - 1;
        var wrapped = roots.Any(root => root > last);
        foreach (var pid in PidsInProc())
        {
            if (pid > floor || (wrapped && pid <= last)) pids.Add(pid);
        }
        // Those above the last pid were handed out before the wrap that led to it.
        pids.Sort((a, b) => HandedOut(a, last).CompareTo(HandedOut(b, last)));
        return pids;
    }

    /// <summary>The last pid the kernel handed out in this pid namespace; int.MaxValue (no wrap seen) when unreadable.</summary>
    private static int LastPid()
    {
        Span<byte> buffer = stackalloc byte[32];
        return ProcFile.Read(LastPidFile, buffer) is { } text
            && int.TryParse(text.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : int.MaxValue;
    }

    private static long HandedOut(int pid, int last) => pid > last ? pid : (long)int.MaxValue + pid;

    private static IEnumerable<int> PidsInProc()
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories("/proc");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var entry in entries)
        {
            var name = entry.AsSpan(6);
            if (name.Length > 0 && char.IsAsciiDigit(name[0]) && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                yield return pid;
        }
    }
}
