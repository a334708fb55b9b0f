using System.Text;
using CsCheck;
using Microsoft.Extensions.Logging;
using Waybill.Core.Logging;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Logging;

/// <summary>
/// The text log format, for any message: one line with no control character, read back by <see cref="LogLine"/> to the
/// same level, category and message; and the reader never throws, whatever the line.
/// </summary>
public sealed class LogLinePropertyTests
{
    private const int Cases = 20_000;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Mostly the characters that need care (controls, backslashes and the letters of escapes, brackets, surrogates),
    // mixed with any character at all.
    private static readonly Gen<char> Tricky = Gen.OneOf(
        Gen.Char['\u0000', '\u00A0'], Gen.Char["\\nrtxu0123456789ABCDEF[] "], Gen.Char['\uD800', '\uDFFF'], Gen.Char["\u2028\u2029\u0085é字"],
        Gen.Char);

    private static readonly Gen<string> Message = Tricky.Array[0, 60].Select(chars => new string(chars));

    private static readonly Gen<string> Category = Gen.OneOf(
        Gen.Const("pipeline"), Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789_-"].Array[1, 20].Select(c => "stage." + new string(c)));

    private static readonly Gen<LogLevel> Level = Gen.Int[0, 5].Select(l => (LogLevel)l);

    [Fact]
    public void Every_message_is_one_clean_line_that_reads_back_to_the_same_event()
    {
        var count = 0;
        Gen.Select(Message, Category, Level, Gen.Long[0, 4_102_444_800L]).SampleFixed((message, category, level, seconds) =>
        {
            Interlocked.Increment(ref count);
            var logEvent = new LogEvent(DateTimeOffset.FromUnixTimeSeconds(seconds), category, level, message, null, null);
            var line = LogLineFormat.Format(logEvent);

            Assert.DoesNotContain(line, c => char.IsControl(c) || c is '\u2028' or '\u2029');
            StrictUtf8.GetByteCount(line); // throws on a lone surrogate
            var buffer = new byte[LogLineFormat.MaxUtf8Bytes(logEvent)];
            Assert.Equal(line, Encoding.UTF8.GetString(buffer, 0, LogLineFormat.WriteUtf8(logEvent, buffer)));
            Assert.True(LogLine.TryParse(line, out var parsed), line);
            Assert.Equal(level, parsed!.Level);
            Assert.Equal(category, parsed.Category);
            Assert.Equal(message, parsed.Message);
        }, iter: Cases);
        ReliabilityFigures.Record("log lines formatted and read back (property test, one run)",
            count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Any_text_either_reads_as_an_event_that_formats_back_or_is_refused_without_an_exception()
    {
        var prefix = Gen.OneOf(Gen.Const(""), Gen.Const("[2025-11-27 13:30:01] ["), Gen.Const("[2025-11-27 13:30:01] [stage.x] ["),
            Gen.Const("[2025-11-27 13:30:01] [stage.x] [INFO] "), Gen.Const("[9999-99-99 99:99:99] [] [ERROR] "));
        Gen.Select(prefix, Message).SampleFixed((start, rest) =>
        {
            var text = start + rest;
            if (!LogLine.TryParse(text, out var parsed)) return;
            var again = LogLineFormat.Format(new LogEvent(DateTimeOffset.UnixEpoch, parsed!.Category, parsed.Level, parsed.Message, null, null));
            Assert.True(LogLine.TryParse(again, out var reread), again);
            Assert.Equal((parsed.Category, parsed.Level, parsed.Message), (reread!.Category, reread.Level, reread.Message));
        }, iter: Cases);
    }

    [Theory]
    [InlineData("a\nb", @"a\nb")]
    [InlineData("printf '%s\\n'", @"printf '%s\\n'")]
    [InlineData(@"C:\temp\a.txt", @"C:\\temp\a.txt")]
    [InlineData("\u001b[31mred\0", @"\x1B[31mred\x00")]
    [InlineData("ends with \\", "ends with \\")]
    [InlineData("Größe 字幕 🎬", "Größe 字幕 🎬")]
    public void Escapes_are_the_documented_ones(string message, string written)
    {
        Assert.Equal(written, LogText.Escape(message));
        Assert.Equal(message, LogText.Unescape(written));
    }

    [Fact]
    public void A_message_without_anything_to_escape_is_the_same_instance()
    {
        var message = "▶ Stage 6/12: asr with a path /a/b and a \\ alone";
        Assert.Same(message, LogText.Escape(message));
    }
}
