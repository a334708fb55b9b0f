using System.Globalization;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// What a cgroup v2 counted for everything that ran in it: CPU time (<c>cpu.stat</c>), the most memory it held at once
/// (<c>memory.peak</c>, Linux 5.19 and later) and storage I/O (<c>io.stat</c>, summed over devices). A figure the kernel
/// does not give (no such file, the controller off) is null. Exact for the whole tree, whether its processes were waited
/// for or not.
/// </summary>
internal sealed record CgroupFigures(long? UserMicroseconds, long? SystemMicroseconds, long? PeakBytes, long? ReadBytes, long? WriteBytes)
{
    private const int MaxFileBytes = 64 * 1024;

    /// <summary>Reads the files of the cgroup in <paramref name="directory"/>.</summary>
    public static CgroupFigures Read(string directory)
    {
        // One buffer for the three files; ProcFile.Read gives null for one that is missing or unreadable.
        var buffer = new byte[MaxFileBytes];
        var cpu = Processes.ProcFile.Read(Path.Combine(directory, "cpu.stat"), buffer);
        var io = ParseIoStat(Processes.ProcFile.Read(Path.Combine(directory, "io.stat"), buffer));
        return new CgroupFigures(
            CgroupMemory.Field(cpu, "user_usec"),
            CgroupMemory.Field(cpu, "system_usec"),
            ParsePeak(Processes.ProcFile.Read(Path.Combine(directory, "memory.peak"), buffer)),
            io?.Read,
            io?.Write);
    }

    /// <summary><c>memory.peak</c>: one number of bytes.</summary>
    internal static long? ParsePeak(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var peak) ? peak : null;

    /// <summary>
    /// <c>io.stat</c>: a line per device, <c>8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0</c>; the bytes summed over
    /// devices. Null when no line has them (the io controller is off: the file is empty).
    /// </summary>
    internal static (long Read, long Write)? ParseIoStat(string? text)
    {
        long read = 0, write = 0;
        var any = false;
        foreach (var line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var pair in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || !long.TryParse(pair.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value)) continue;
                switch (pair[..equals])
                {
                    case "rbytes":
                        read += value;
                        any = true;
                        break;
                    case "wbytes":
                        write += value;
                        any = true;
                        break;
                }
            }
        }
        return any ? (read, write) : null;
    }
}
