using System.Globalization;

namespace Waybill.Core.Processes;

/// <summary>
/// The fields of one <c>/proc/&lt;pid&gt;/stat</c> line that resource sampling needs. CPU times are in clock ticks
/// (<see cref="TicksPerSecond"/>); <see cref="ChildrenTicks"/> holds the children the process has waited for.
/// </summary>
internal readonly record struct ProcStat(int Pid, char State, int ParentPid, int ProcessGroup, long OwnTicks, long ChildrenTicks,
    long UserTicks, long SystemTicks, long RssPages)
{
    private const int MaxLineLength = 4096;

    /// <summary>Clock ticks per second of the CPU times in /proc (USER_HZ, 100 on every Linux seen so far).</summary>
    public static readonly long TicksPerSecond = ReadTicksPerSecond();

    public bool IsZombie => State is 'Z' or 'X';

    /// <summary>
    /// Parses a stat line; null when it is not one. The command name (field 2) may hold spaces and parentheses, so the
    /// fields are counted from its last ')'.
    /// </summary>
    public static ProcStat? Parse(ReadOnlySpan<char> line)
    {
        if (line.Length > MaxLineLength) return null;
        var open = line.IndexOf('(');
        var close = line.LastIndexOf(')');
        if (open <= 0 || close < open || close + 2 >= line.Length) return null;
        if (!int.TryParse(line[..open].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return null;
        var rest = line[(close + 2)..];
        // Fields 3 (state) to 24 (rss): indices 0 to 21 after the name.
        Span<Range> ranges = stackalloc Range[23];
        var count = rest.Split(ranges, ' ');
        if (count < 22 || rest[ranges[0]].Length != 1) return null;
        ReadOnlySpan<int> wanted = [1, 2, 11, 12, 13, 14, 21];
        Span<long> values = stackalloc long[wanted.Length];
        for (var i = 0; i < wanted.Length; i++)
        {
            if (!long.TryParse(rest[ranges[wanted[i]]], NumberStyles.None, CultureInfo.InvariantCulture, out values[i])) return null;
        }
        return new ProcStat(pid, rest[ranges[0]][0], (int)values[0], (int)values[1], values[2] + values[3], values[4] + values[5],
            values[2] + values[4], values[3] + values[5], values[6]);
    }

    /// <summary>Reads <c>/proc/&lt;pid&gt;/stat</c>; null when the process is gone or the file cannot be read.</summary>
    public static ProcStat? Read(int pid, Span<byte> buffer)
    {
        var text = ProcFile.Read(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"), buffer);
        return text is null ? null : Parse(text);
    }

    private static long ReadTicksPerSecond()
    {
        var ticks = LibC.SysConf(LibC.ScClkTck);
        return ticks > 0 ? ticks : 100;
    }
}
