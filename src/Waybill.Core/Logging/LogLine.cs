using Microsoft.Extensions.Logging;

namespace Waybill.Core.Logging;

/// <summary>
/// One event line of a text log read back: <c>[yyyy-MM-dd HH:mm:ss] [category] [LEVEL] message</c>, the message
/// unescaped. Lines that are not event lines (the indented exception text after an event) do not parse.
/// </summary>
public sealed record LogLine(string Time, string Category, LogLevel Level, string Message)
{
    private const int TimeLength = 19; // yyyy-MM-dd HH:mm:ss

    /// <summary>Reads an event line; false for anything else. Never throws, whatever the text.</summary>
    public static bool TryParse(string line, out LogLine? parsed)
    {
        parsed = null;
        var text = line.AsSpan();
        if (text.Length < TimeLength + 4 || text[0] != '[' || !text[(TimeLength + 1)..].StartsWith("] [")) return false;
        var time = text.Slice(1, TimeLength);
        if (!IsTime(time)) return false;
        var rest = text[(TimeLength + 4)..];
        // The category is a stage's name, never holding "] [": the first one ends it.
        var end = rest.IndexOf("] [", StringComparison.Ordinal);
        if (end <= 0) return false;
        var category = rest[..end];
        rest = rest[(end + 3)..];
        var close = rest.IndexOf("] ", StringComparison.Ordinal);
        if (close <= 0 || LevelOf(rest[..close]) is not { } level) return false;
        parsed = new LogLine(time.ToString(), category.ToString(), level, LogText.Unescape(rest[(close + 2)..].ToString()));
        return true;
    }

    private static LogLevel? LevelOf(ReadOnlySpan<char> name)
    {
        for (var level = LogLevel.Trace; level <= LogLevel.None; level++)
            if (name.SequenceEqual(LogLineFormat.LevelName(level))) return level;
        return null;
    }

    private static bool IsTime(ReadOnlySpan<char> time)
    {
        const string Shape = "0000-00-00 00:00:00";
        for (var i = 0; i < Shape.Length; i++)
            if (Shape[i] == '0' ? !char.IsAsciiDigit(time[i]) : time[i] != Shape[i]) return false;
        return true;
    }
}
