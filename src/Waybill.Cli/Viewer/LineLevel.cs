namespace Waybill.Cli.Viewer;

/// <summary>
/// The level and category of a log line read as <c>[yyyy-MM-dd HH:mm:ss] [category] [LEVEL] message</c>, looked at
/// without copying; a line of another shape (an exception's text) has neither and takes its event's.
/// </summary>
internal static class LineLevel
{
    private const int TimeEnd = 20; // "[yyyy-MM-dd HH:mm:ss"

    /// <summary>0 trace … 5 critical; -1 for a line that is not an event line.</summary>
    public static int Of(string line)
    {
        var level = LevelText(line);
        return level switch
        {
            "TRACE" => 0,
            "DEBUG" => 1,
            "INFO" => 2,
            "WARNING" => 3,
            "ERROR" => 4,
            "CRITICAL" => 5,
            _ => -1,
        };
    }

    /// <summary>The category of an event line (<c>stage.asr</c>, <c>stage.asr:ep-01</c>, <c>pipeline</c>); null for other lines.</summary>
    public static string? Category(string line)
    {
        if (!IsEventStart(line)) return null;
        var rest = line.AsSpan(TimeEnd + 3);
        var end = rest.IndexOf("] [", StringComparison.Ordinal);
        return end > 0 ? rest[..end].ToString() : null;
    }

    /// <summary>Whether a line passes the level filter: an event line by its level, another line by its event's.</summary>
    public static bool Passes(LevelFilter filter, int level) => filter switch
    {
        LevelFilter.Info => level >= 2,
        LevelFilter.Warning => level >= 3,
        LevelFilter.Error => level >= 4,
        _ => true,
    };

    private static ReadOnlySpan<char> LevelText(string line)
    {
        if (!IsEventStart(line)) return default;
        var rest = line.AsSpan(TimeEnd + 3);
        var end = rest.IndexOf("] [", StringComparison.Ordinal);
        if (end <= 0) return default;
        rest = rest[(end + 3)..];
        var close = rest.IndexOf(']');
        return close > 0 ? rest[..close] : default;
    }

    private static bool IsEventStart(string line) =>
        line.Length > TimeEnd + 3 && line[0] == '[' && line[TimeEnd] == ']' && line[TimeEnd + 1] == ' ' && line[TimeEnd + 2] == '[';
}
