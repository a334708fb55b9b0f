using System.Globalization;

namespace Waybill.Core.Processes;

/// <summary>
/// The processes of a command's process group, found in /proc. Only pids above the group's own are read: what a command
/// starts gets a larger pid until the kernel's pid counter wraps (at pid_max), so a scan reads the stat files of the few
/// processes started since, not of the whole machine. After a wrap, members with smaller pids are missed.
/// </summary>
internal static class ProcessGroup
{
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
        foreach (var pid in PidsAbove(groupId))
        {
            if (ProcStat.Read(pid, buffer) is { } stat && stat.ProcessGroup == groupId && !stat.IsZombie) count++;
        }
        return count;
    }

    /// <summary>The pids in /proc larger than <paramref name="floor"/>.</summary>
    public static IEnumerable<int> PidsAbove(int floor)
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
            if (name.Length > 0 && char.IsAsciiDigit(name[0]) && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid > floor)
                yield return pid;
        }
    }
}
