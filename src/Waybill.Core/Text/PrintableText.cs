using System.Globalization;
using System.Text;

namespace Waybill.Core.Text;

/// <summary>User text quoted in an error message: control characters shown as <c>\n</c> or <c>\u001b</c>, so it cannot forge lines or move the cursor.</summary>
public static class PrintableText
{
    /// <param name="maxLength">Longer text is cut there and ends with '…', so a hostile argument cannot flood the terminal.</param>
    public static string Of(string text, int maxLength = 200)
    {
        if (text.Length > maxLength) text = text[..maxLength] + "…";
        if (!text.Any(char.IsControl)) return text;
        var result = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n': result.Append("\\n"); break;
                case '\r': result.Append("\\r"); break;
                case '\t': result.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) result.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else result.Append(c);
                    break;
            }
        }
        return result.ToString();
    }
}
