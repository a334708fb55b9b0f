using System.Globalization;
using System.Text;
using Waybill.Core.IO;

namespace Waybill.Media.Stages.Subtitles;

/// <summary>
/// SubRip and WebVTT, UTF-8 without BOM, LF line ends. SRT: number, <c>HH:MM:SS,mmm --> HH:MM:SS,mmm</c>, lines,
/// blank line; an empty track is an empty file. WebVTT: the <c>WEBVTT</c> header and a blank line, then cues with
/// <c>HH:MM:SS.mmm</c> times and <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c> escaped as the format requires.
/// Whatever the text, a cue stays one cue: line breaks and other control characters inside a line become spaces, blank
/// lines (which would end the cue) are left out, <c>--&gt;</c> (which would read as a timing line) is broken up, and
/// a cue left with no text at all is not written.
/// </summary>
public static class SubtitleWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static string Srt(IReadOnlyList<Cue> cues)
    {
        var text = new StringBuilder();
        var number = 0;
        foreach (var cue in cues)
        {
            var lines = ShownLines(cue);
            if (lines.Count == 0) continue;
            text.Append(++number).Append('\n')
                .Append(Time(cue.StartMs, ',')).Append(" --> ").Append(Time(cue.EndMs, ',')).Append('\n');
            foreach (var line in lines) text.Append(line.Replace("-->", "-- >", StringComparison.Ordinal)).Append('\n');
            text.Append('\n');
        }
        return text.ToString();
    }

    public static string Vtt(IReadOnlyList<Cue> cues)
    {
        var text = new StringBuilder("WEBVTT\n\n");
        foreach (var cue in cues)
        {
            var lines = ShownLines(cue);
            if (lines.Count == 0) continue;
            text.Append(Time(cue.StartMs, '.')).Append(" --> ").Append(Time(cue.EndMs, '.')).Append('\n');
            foreach (var line in lines) text.Append(Escape(line)).Append('\n');
            text.Append('\n');
        }
        return text.ToString();
    }

    public static void Write(string path, string content) => AtomicFile.WriteAllBytes(path, Utf8.GetBytes(content));

    /// <summary><c>01:02:03,456</c>; hours grow past two digits for very long media.</summary>
    public static string Time(long ms, char separator)
    {
        ms = Math.Max(0, ms);
        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        var seconds = ms / 1000 % 60;
        var millis = ms % 1000;
        return string.Create(CultureInfo.InvariantCulture, $"{hours:00}:{minutes:00}:{seconds:00}{separator}{millis:000}");
    }

    /// <summary>The cue's lines as they can be written: no line break or control character inside, none blank.</summary>
    private static List<string> ShownLines(Cue cue)
    {
        var lines = new List<string>(cue.Lines.Count);
        foreach (var line in cue.Lines)
        {
            var flat = line.AsSpan().ContainsAny(Unwritable) ? string.Concat(line.Select(c => Unwritable.Contains(c) ? ' ' : c)) : line;
            if (!string.IsNullOrWhiteSpace(flat)) lines.Add(flat);
        }
        return lines;
    }

    // Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: line ends to some reader, or nothing to show.
    private static readonly System.Buffers.SearchValues<char> Unwritable = System.Buffers.SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Append(0x2028).Append(0x2029).Select(c => (char)c)));

    private static string Escape(string line) => line.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
