using System.Globalization;
using System.Text;
using Waybill.Core.IO;

namespace Waybill.Media.Stages.Subtitles;

/// <summary>
/// SubRip and WebVTT, UTF-8 without BOM, LF line ends. SRT: number, <c>HH:MM:SS,mmm --> HH:MM:SS,mmm</c>, lines,
/// blank line; an empty track is an empty file. WebVTT: the <c>WEBVTT</c> header and a blank line, then cues with
/// <c>HH:MM:SS.mmm</c> times and <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c> escaped as the format requires.
/// </summary>
public static class SubtitleWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static string Srt(IReadOnlyList<Cue> cues)
    {
        var text = new StringBuilder();
        for (var i = 0; i < cues.Count; i++)
        {
            text.Append(i + 1).Append('\n')
                .Append(Time(cues[i].StartMs, ',')).Append(" --> ").Append(Time(cues[i].EndMs, ',')).Append('\n');
            foreach (var line in cues[i].Lines) text.Append(line).Append('\n');
            text.Append('\n');
        }
        return text.ToString();
    }

    public static string Vtt(IReadOnlyList<Cue> cues)
    {
        var text = new StringBuilder("WEBVTT\n\n");
        foreach (var cue in cues)
        {
            text.Append(Time(cue.StartMs, '.')).Append(" --> ").Append(Time(cue.EndMs, '.')).Append('\n');
            foreach (var line in cue.Lines) text.Append(Escape(line)).Append('\n');
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

    private static string Escape(string line) => line.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
