using System.Globalization;
using System.Text.RegularExpressions;

namespace Waybill.Media.Tests.Subtitles;

/// <summary>A cue read back from a file.</summary>
public sealed record ParsedCue(long StartMs, long EndMs, IReadOnlyList<string> Lines)
{
    public override string ToString() => $"{StartMs}–{EndMs}: {string.Join(" / ", Lines)}";
}

/// <summary>Strict readers for the files the stage writes: any deviation from the format throws.</summary>
public static partial class SubtitleFiles
{
    public static List<ParsedCue> ParseSrt(string text)
    {
        var cues = new List<ParsedCue>();
        if (text.Length == 0) return cues;
        if (!text.EndsWith("\n\n", StringComparison.Ordinal)) throw new FormatException("an SRT file ends with a blank line");
        var blocks = text[..^2].Split("\n\n");
        for (var i = 0; i < blocks.Length; i++)
        {
            var lines = blocks[i].Split('\n');
            if (lines[0] != (i + 1).ToString(CultureInfo.InvariantCulture)) throw new FormatException($"cue {i + 1} is numbered '{lines[0]}'");
            var (start, end) = Times(lines[1], SrtTime());
            if (lines.Length < 3 || lines.Skip(2).Any(l => l.Length == 0)) throw new FormatException($"cue {i + 1} has no text or an empty line");
            cues.Add(new ParsedCue(start, end, lines[2..]));
        }
        return cues;
    }

    public static List<ParsedCue> ParseVtt(string text)
    {
        if (!text.StartsWith("WEBVTT\n\n", StringComparison.Ordinal)) throw new FormatException("a WebVTT file starts with 'WEBVTT' and a blank line");
        var body = text["WEBVTT\n\n".Length..];
        var cues = new List<ParsedCue>();
        if (body.Length == 0) return cues;
        if (!body.EndsWith("\n\n", StringComparison.Ordinal)) throw new FormatException("the last cue ends with a blank line");
        foreach (var block in body[..^2].Split("\n\n"))
        {
            var lines = block.Split('\n');
            var (start, end) = Times(lines[0], VttTime());
            if (lines.Length < 2 || lines.Skip(1).Any(l => l.Length == 0 || l.Contains("-->", StringComparison.Ordinal))) throw new FormatException($"bad cue text: {block}");
            cues.Add(new ParsedCue(start, end, [.. lines[1..].Select(l => l.Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal))]));
        }
        return cues;
    }

    private static (long, long) Times(string line, Regex format)
    {
        var match = format.Match(line);
        if (!match.Success) throw new FormatException($"not a timing line: '{line}'");
        return (Ms(match, 1), Ms(match, 5));
    }

    private static long Ms(Match m, int g) =>
        long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture) * 3_600_000 + long.Parse(m.Groups[g + 1].Value, CultureInfo.InvariantCulture) * 60_000
        + long.Parse(m.Groups[g + 2].Value, CultureInfo.InvariantCulture) * 1000 + long.Parse(m.Groups[g + 3].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(\d{2,}):([0-5]\d):([0-5]\d),(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d),(\d{3})$")]
    private static partial Regex SrtTime();

    [GeneratedRegex(@"^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$")]
    private static partial Regex VttTime();
}
