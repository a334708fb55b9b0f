using Microsoft.Extensions.Logging;

namespace Waybill.Core.Logging;

/// <summary>The seeds' line format: <c>[yyyy-MM-dd HH:mm:ss] [category] [LEVEL] message</c>.</summary>
public static class LogLineFormat
{
    private sealed record CachedSecond(long Second, string Text);
    private static CachedSecond s_cached = new(-1, "");

    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRITICAL",
        _ => "NONE",
    };

    public static string Format(LogEvent e) =>
        string.Concat("[", Timestamp(e.Timestamp), "] [", e.Category, "] [", LevelName(e.Level), "] ", e.Message);

    /// <summary>
    /// Local wall-clock time of an event. Converting to local time and formatting are the slowest parts of a line;
    /// one second's text serves every line in that second.
    /// </summary>
    public static string Timestamp(DateTimeOffset time)
    {
        var second = time.UtcTicks / TimeSpan.TicksPerSecond;
        var cached = s_cached;
        if (cached.Second == second) return cached.Text;
        var text = time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        s_cached = new CachedSecond(second, text);
        return text;
    }
}
