using System.Globalization;
using System.Text;

namespace Waybill.Media.Stages.Alignment;

/// <summary>transcript.txt: one line per segment, <c>[HH:MM:SS.mmm --> HH:MM:SS.mmm] text</c>.</summary>
public static class TranscriptText
{
    public static string Format(IEnumerable<TranscriptLine> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
            text.Append('[').Append(Time(line.Start)).Append(" --> ").Append(Time(line.End)).Append("] ").Append(line.Text).Append('\n');
        return text.ToString();
    }

    /// <summary>HH:MM:SS.mmm, hours not limited to two digits.</summary>
    public static string Time(double seconds)
    {
        var ms = (long)Math.Round(Math.Max(0, seconds) * 1000, MidpointRounding.AwayFromZero);
        return string.Create(CultureInfo.InvariantCulture, $"{ms / 3_600_000:00}:{ms / 60_000 % 60:00}:{ms / 1000 % 60:00}.{ms % 1000:000}");
    }
}
