using System.Globalization;
using System.Text;
using Waybill.Core.Logging;

namespace Waybill.Cli.Output;

/// <summary>
/// Text fitted to a pane: control characters shown as escapes (<c>\x1B</c>), so nothing in a log can drive the
/// terminal; then cut, never wrapped, to the pane's width in terminal cells, from a horizontal offset.
/// </summary>
internal static class DisplayText
{
    public static string Fit(string text, int offset, int width)
    {
        var safe = LogText.EscapeControls(text);
        var builder = new StringBuilder(Math.Min(safe.Length, width) + 8);
        var column = 0;
        foreach (var rune in safe.EnumerateRunes())
        {
            var cells = Cells(rune);
            if (column < offset)
            {
                column += cells;
                continue;
            }
            if (column + cells > offset + width) break;
            builder.Append(rune.ToString());
            column += cells;
        }
        return builder.ToString();
    }

    /// <summary>The text's width in terminal cells.</summary>
    public static int Width(string text)
    {
        var width = 0;
        foreach (var rune in text.EnumerateRunes()) width += Cells(rune);
        return width;
    }

    /// <summary>Cells a character takes: marks none, East Asian wide letters and emoji two, others one.</summary>
    public static int Cells(Rune rune)
    {
        var value = rune.Value;
        if (value < 0x300) return 1;
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format) return 0;
        return value is (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0xA4CF) or (>= 0xAC00 and <= 0xD7A3) or (>= 0xF900 and <= 0xFAFF)
            or (>= 0xFE30 and <= 0xFE4F) or (>= 0xFF00 and <= 0xFF60) or (>= 0xFFE0 and <= 0xFFE6) or (>= 0x1F300 and <= 0x1FAFF)
            or (>= 0x20000 and <= 0x3FFFD) ? 2 : 1;
    }
}
