using System.Numerics;

namespace Waybill.Core.Text;

/// <summary>
/// A time as UTC ISO-8601 with milliseconds, <c>2026-12-05T04:48:31.123Z</c>: text of one length that sorts as the times
/// compare (the catalog's times, OpenLineage's <c>eventTime</c>). Written digit by digit: .NET's custom format string took
/// a fifth of the time of writing a stage's OpenLineage end event (perf, 500 stages on the run's loop).
/// </summary>
internal static class UtcMillisecondTime
{
    public const int Length = 24;

    public static string Format(DateTimeOffset time) => string.Create(Length, time, static (into, t) => Write(t, into));

    /// <summary>Writes the text into <paramref name="into"/> (at least <see cref="Length"/> long); returns its length.</summary>
    public static int Write(DateTimeOffset time, Span<char> into) => Write<char>(time, into);

    /// <summary>The same as UTF-8.</summary>
    public static int Write(DateTimeOffset time, Span<byte> into) => Write<byte>(time, into);

    private static int Write<T>(DateTimeOffset time, Span<T> into) where T : IBinaryInteger<T>
    {
        if (into.Length < Length) throw new ArgumentException($"{Length} characters are too few for a time", nameof(into));
        var utc = time.UtcDateTime;
        Digits(into, 0, utc.Year, 4);
        into[4] = T.CreateTruncating('-');
        Digits(into, 5, utc.Month, 2);
        into[7] = T.CreateTruncating('-');
        Digits(into, 8, utc.Day, 2);
        into[10] = T.CreateTruncating('T');
        Digits(into, 11, utc.Hour, 2);
        into[13] = T.CreateTruncating(':');
        Digits(into, 14, utc.Minute, 2);
        into[16] = T.CreateTruncating(':');
        Digits(into, 17, utc.Second, 2);
        into[19] = T.CreateTruncating('.');
        Digits(into, 20, utc.Millisecond, 3);
        into[23] = T.CreateTruncating('Z');
        return Length;
    }

    private static void Digits<T>(Span<T> into, int at, int value, int count) where T : IBinaryInteger<T>
    {
        for (var i = at + count - 1; i >= at; i--)
        {
            into[i] = T.CreateTruncating('0' + value % 10);
            value /= 10;
        }
    }
}
