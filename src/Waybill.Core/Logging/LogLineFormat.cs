using Microsoft.Extensions.Logging;

namespace Waybill.Core.Logging;

/// <summary>
/// The seeds' line format: <c>[yyyy-MM-dd HH:mm:ss] [category] [LEVEL] message</c>, the message escaped by
/// <see cref="LogText.Escape"/> so that every event is exactly one line; <see cref="LogLine.TryParse"/> reads it back.
/// </summary>
public static class LogLineFormat
{
    private sealed record CachedSecond(long Second, string Text, byte[] Utf8);
    private static CachedSecond s_cached = new(-1, "", []);

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
        string.Concat("[", Timestamp(e.Timestamp), "] [", e.Category, "] [", LevelName(e.Level), "] ", e.Text);

    /// <summary>At most how many bytes <see cref="WriteUtf8"/> writes for the event.</summary>
    public static int MaxUtf8Bytes(LogEvent e) => 40 + System.Text.Encoding.UTF8.GetMaxByteCount(e.Category.Length + e.Text.Length);

    /// <summary>The same line as <see cref="Format"/>, encoded into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int WriteUtf8(LogEvent e, Span<byte> destination)
    {
        var utf8 = System.Text.Encoding.UTF8;
        var at = 0;
        destination[at++] = (byte)'[';
        var stamp = TimestampEntry(e.Timestamp).Utf8;
        stamp.CopyTo(destination[at..]);
        at += stamp.Length;
        "] ["u8.CopyTo(destination[at..]);
        at += 3;
        at += utf8.GetBytes(e.Category, destination[at..]);
        "] ["u8.CopyTo(destination[at..]);
        at += 3;
        var level = LevelUtf8(e.Level);
        level.CopyTo(destination[at..]);
        at += level.Length;
        "] "u8.CopyTo(destination[at..]);
        at += 2;
        at += utf8.GetBytes(e.Text, destination[at..]);
        return at;
    }

    // LevelName of every level, encoded once.
    private static readonly byte[][] LevelsUtf8 = [.. Enumerable.Range(0, (int)LogLevel.None + 1).Select(l => System.Text.Encoding.UTF8.GetBytes(LevelName((LogLevel)l)))];

    private static ReadOnlySpan<byte> LevelUtf8(LogLevel level) => LevelsUtf8[Math.Clamp((int)level, 0, LevelsUtf8.Length - 1)];

    /// <summary>
    /// Local wall-clock time of an event. Converting to local time and formatting are the slowest parts of a line;
    /// one second's text serves every line in that second.
    /// </summary>
    public static string Timestamp(DateTimeOffset time) => TimestampEntry(time).Text;

    private static CachedSecond TimestampEntry(DateTimeOffset time)
    {
        var second = time.UtcTicks / TimeSpan.TicksPerSecond;
        var cached = s_cached;
        if (cached.Second == second) return cached;
        var text = time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        cached = new CachedSecond(second, text, System.Text.Encoding.UTF8.GetBytes(text));
        s_cached = cached;
        return cached;
    }
}
