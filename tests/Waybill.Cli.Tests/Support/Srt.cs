using System.Globalization;
using System.Text.RegularExpressions;

namespace Waybill.Cli.Tests.Support;

/// <summary>Reads an SRT file back into cues, strictly: a malformed block fails the test.</summary>
public static partial class Srt
{
    public sealed record Cue(int Index, double Start, double End, IReadOnlyList<string> Lines)
    {
        public string Text => string.Join(' ', Lines);
        public double Duration => End - Start;
    }

    public static List<Cue> Parse(string path)
    {
        var text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Trim();
        var cues = new List<Cue>();
        if (text.Length == 0) return cues;
        foreach (var block in text.Split("\n\n"))
        {
            var lines = block.Split('\n');
            var timing = Timing().Match(lines.Length > 1 ? lines[1] : "");
            if (lines.Length < 3 || !int.TryParse(lines[0], CultureInfo.InvariantCulture, out var index) || !timing.Success)
                throw new FormatException($"{path}: malformed cue:\n{block}");
            cues.Add(new Cue(index, Seconds(timing, 1), Seconds(timing, 5), lines[2..]));
        }
        return cues;
    }

    private static double Seconds(Match m, int group) =>
        int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) * 3600 + int.Parse(m.Groups[group + 1].Value, CultureInfo.InvariantCulture) * 60
        + int.Parse(m.Groups[group + 2].Value, CultureInfo.InvariantCulture) + int.Parse(m.Groups[group + 3].Value, CultureInfo.InvariantCulture) / 1000.0;

    [GeneratedRegex(@"^(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)$")]
    private static partial Regex Timing();
}
