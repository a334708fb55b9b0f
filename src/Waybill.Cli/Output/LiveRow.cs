using System.Globalization;
using System.Text;

namespace Waybill.Cli.Output;

/// <summary>
/// A live bar as one terminal row that is always shorter than the terminal: the description is cut with "…" to leave
/// room for the bar, the percentage and the time, so the row can never wrap (a wrapped row is what corrupted the
/// display: the terminal's lines no longer matched the rows the display moved back over).
/// </summary>
internal static class LiveRow
{
    private const string Grey = "\u001b[90m";
    private const string Green = "\u001b[32m";
    private const string Reset = "\u001b[0m";

    public static string Format(string description, long done, long total, string time, int width, bool color)
    {
        var room = Math.Max(1, width - 1); // never the last column: a row that reaches it may wrap on some terminals
        var percent = total > 0 ? (int)(100 * done / total) : 0;
        var tail = string.Create(CultureInfo.InvariantCulture, $" {percent,3}% {time}");
        var bar = Math.Clamp(room / 5, 6, 40);
        var text = Math.Max(0, room - bar - 1 - DisplayText.Width(tail));
        if (text < 12)
        {
            // Narrow: the description keeps at least a few cells; the bar gives them up first.
            bar = Math.Max(0, bar - (12 - text));
            text = Math.Max(0, room - (bar > 0 ? bar + 1 : 0) - DisplayText.Width(tail));
        }
        var row = new StringBuilder(width * 2);
        row.Append(Cut(description, text));
        if (bar > 0)
        {
            var filled = total > 0 ? (int)(bar * Math.Min(done, total) / total) : 0;
            row.Append(' ');
            if (color) row.Append(Green);
            row.Append('━', filled);
            if (color) row.Append(Grey);
            row.Append('─', bar - filled);
            if (color) row.Append(Reset);
        }
        row.Append(DisplayText.Fit(tail, 0, Math.Max(0, room - DisplayText.Width(Cut(description, text)) - (bar > 0 ? bar + 1 : 0))));
        return row.ToString();
    }

    /// <summary><paramref name="text"/> in at most <paramref name="cells"/> cells, ending in "…" when cut.</summary>
    public static string Cut(string text, int cells)
    {
        if (cells <= 0) return "";
        if (DisplayText.Width(Waybill.Core.Logging.LogText.EscapeControls(text)) <= cells) return DisplayText.Fit(text, 0, cells);
        return DisplayText.Fit(text, 0, cells - 1) + "…";
    }

    /// <summary>m:ss, or h:mm:ss with all the hours (a day or more stays in hours: 30:00:00).</summary>
    public static string Duration(TimeSpan time) =>
        time.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)time.TotalHours}:{time:mm':'ss}")
            : time.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
