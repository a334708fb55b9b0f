using System.Text;
using Microsoft.Extensions.Logging;
using Waybill.Core.Logging;
using Xunit;

namespace Waybill.Core.Tests.Logging;

/// <summary>The log files encode lines straight from their pieces; the bytes must be the text line, for every level.</summary>
public sealed class LogLineFormatTests
{
    [Theory]
    [InlineData(LogLevel.Trace, "stage.asr", "plain ascii")]
    [InlineData(LogLevel.Debug, "stage.übersetzung", "Größe 3 × 4 → 12, 字幕 🎬")]
    [InlineData(LogLevel.Information, "pipeline", "▶ Stage 6/12: asr")]
    [InlineData(LogLevel.Warning, "stage.x", "")]
    [InlineData(LogLevel.Error, "stage.x", "❌ Stage asr: FAILED (3.1s): exit 1")]
    [InlineData(LogLevel.Critical, "stage.x", "line one\nline two")]
    public void Utf8_bytes_are_the_formatted_line(LogLevel level, string category, string message)
    {
        var logEvent = new LogEvent(new DateTimeOffset(2025, 11, 27, 13, 30, 1, TimeSpan.Zero), category, level, message, null, null);
        var buffer = new byte[LogLineFormat.MaxUtf8Bytes(logEvent)];

        var written = LogLineFormat.WriteUtf8(logEvent, buffer);

        Assert.Equal(LogLineFormat.Format(logEvent), Encoding.UTF8.GetString(buffer, 0, written));
        Assert.Contains($"] [{LogLineFormat.LevelName(level)}] ", Encoding.UTF8.GetString(buffer, 0, written), StringComparison.Ordinal);
    }
}
