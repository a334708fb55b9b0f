using System.Globalization;
using System.Text;
using CsCheck;
using Waybill.Core.Text;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Text;

public sealed class UtcMillisecondTimeTests
{
    [Fact]
    public void Writes_what_the_custom_format_writes_for_any_time_and_offset()
    {
        var times = Gen.Select(Gen.Long[DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay],
            Gen.Int[-14 * 60, 14 * 60], (ticks, minutes) => new DateTimeOffset(ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(minutes)));
        times.SampleFixed(time =>
        {
            var expected = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            Span<char> chars = stackalloc char[UtcMillisecondTime.Length];
            Span<byte> bytes = stackalloc byte[UtcMillisecondTime.Length];
            Assert.Equal(expected, UtcMillisecondTime.Format(time));
            Assert.Equal(expected, chars[..UtcMillisecondTime.Write(time, chars)].ToString());
            Assert.Equal(expected, Encoding.UTF8.GetString(bytes[..UtcMillisecondTime.Write(time, bytes)]));
        }, iter: 20_000);
    }

    [Fact]
    public void Sorts_as_the_times_compare_and_refuses_a_buffer_too_short()
    {
        var early = new DateTimeOffset(2026, 12, 6, 0, 59, 59, 999, TimeSpan.Zero);
        Assert.Equal("2026-12-06T00:59:59.999Z", UtcMillisecondTime.Format(early));
        Assert.True(string.CompareOrdinal(UtcMillisecondTime.Format(early), UtcMillisecondTime.Format(early.AddMilliseconds(1))) < 0);
        Assert.Throws<ArgumentException>(() => UtcMillisecondTime.Write(early, new char[23]));
    }
}
