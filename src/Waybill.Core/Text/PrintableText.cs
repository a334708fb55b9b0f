using Waybill.Core.Logging;

namespace Waybill.Core.Text;

/// <summary>
/// User text quoted in an error message: control characters shown as escapes (<c>\n</c>, <c>\x1B</c>, as log lines
/// write them, see <see cref="LogText.EscapeControls"/>), so it cannot forge lines or move the cursor.
/// </summary>
public static class PrintableText
{
    /// <param name="maxLength">Longer text is cut there and ends with '…', so a hostile argument cannot flood the terminal.</param>
    public static string Of(string text, int maxLength = 200) =>
        LogText.EscapeControls(text.Length > maxLength ? text[..maxLength] + "…" : text);
}
