using System.Buffers;
using System.Globalization;
using System.Text;

namespace Waybill.Core.Logging;

/// <summary>
/// Keeps one log event on one line that nothing in it can forge or drive: control characters (C0, DEL, C1), the
/// Unicode line and paragraph separators and lone surrogates are written as escapes (<c>\n</c>, <c>\r</c>,
/// <c>\t</c>, <c>\x1B</c>, <c>\u0085</c>, <c>\uD800</c>), so a file name holding "\n[ERROR] forged" cannot start a
/// line of its own and a command's terminal escapes never reach a terminal. Other text, non-ASCII letters included,
/// is kept as is. A backslash is doubled only where it would otherwise read as the start of an escape, so paths
/// and commands stay readable and <see cref="Unescape"/> gives back exactly the original message.
/// </summary>
public static class LogText
{
    // Everything that may need work: the characters escaped, the backslash, and surrogates (valid pairs are kept,
    // but telling them from lone halves needs a look). Plain text has none of them: one vectorized scan, no copy.
    private static readonly SearchValues<char> Special = SearchValues.Create(
        "\\" + Range('\u0000', '\u001F') + Range('\u007F', '\u009F') + "\u2028\u2029" + Range('\uD800', '\uDFFF'));

    /// <summary>The message as a log line writes it; the same instance when nothing needs escaping (the usual case).</summary>
    public static string Escape(string message)
    {
        var at = message.AsSpan().IndexOfAny(Special);
        if (at < 0 || !NeedsEscaping(message, at)) return message;
        var builder = new StringBuilder(message.Length + 16);
        builder.Append(message, 0, at);
        for (var i = at; i < message.Length; i++)
        {
            var c = message[i];
            if (c == '\\') builder.Append(StartsEscape(message, i + 1) ? @"\\" : @"\");
            else if (IsValidPair(message, i))
            {
                builder.Append(c).Append(message[i + 1]);
                i++;
            }
            else if (IsEscaped(c)) AppendEscape(builder, c);
            else builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>The original message of an escaped one: the inverse of <see cref="Escape"/>.</summary>
    public static string Unescape(string text)
    {
        var at = text.IndexOf('\\', StringComparison.Ordinal);
        if (at < 0) return text;
        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, at);
        for (var i = at; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 == text.Length)
            {
                builder.Append(c);
                continue;
            }
            var next = text[i + 1];
            var (value, length) = next switch
            {
                '\\' => ('\\', 2),
                'n' => ('\n', 2),
                'r' => ('\r', 2),
                't' => ('\t', 2),
                'x' => Hex(text, i + 2, 2),
                'u' => Hex(text, i + 2, 4),
                _ => ('\\', 1),
            };
            builder.Append(value);
            i += length - 1;
        }
        return builder.ToString();
    }

    /// <summary>
    /// Text for a terminal or a pipe whose origin is not known (a log file written before escaping, a command's own
    /// words): control characters become escapes; backslashes are left alone, so already escaped text is unchanged.
    /// </summary>
    public static string EscapeControls(string text)
    {
        var at = text.AsSpan().IndexOfAny(Special);
        if (at < 0) return text;
        StringBuilder? builder = null;
        for (var i = at; i < text.Length; i++)
        {
            var c = text[i];
            if (IsValidPair(text, i))
            {
                builder?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            if (!IsEscaped(c))
            {
                builder?.Append(c);
                continue;
            }
            builder ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            AppendEscape(builder, c);
        }
        return builder?.ToString() ?? text;
    }

    private static bool NeedsEscaping(string message, int from)
    {
        for (var i = from; i < message.Length; i++)
        {
            var c = message[i];
            if (c == '\\')
            {
                if (StartsEscape(message, i + 1)) return true;
            }
            else if (IsValidPair(message, i)) i++;
            else if (IsEscaped(c)) return true;
        }
        return false;
    }

    /// <summary>Whether the character at <paramref name="index"/> would make a preceding backslash read as an escape.</summary>
    private static bool StartsEscape(string text, int index)
    {
        if (index >= text.Length) return false;
        var c = text[index];
        return c is '\\' or 'n' or 'r' or 't' or 'x' or 'u' || (IsEscaped(c) && !IsValidPair(text, index));
    }

    private static bool IsEscaped(char c) => c <= '\u001F' || c is >= '\u007F' and <= '\u009F' or '\u2028' or '\u2029' || char.IsSurrogate(c);

    private static bool IsValidPair(string text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]);

    private static void AppendEscape(StringBuilder builder, char c)
    {
        switch (c)
        {
            case '\n': builder.Append(@"\n"); break;
            case '\r': builder.Append(@"\r"); break;
            case '\t': builder.Append(@"\t"); break;
            case <= '\u001F' or '\u007F': builder.Append(@"\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture)); break;
            default: builder.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>A <c>\xNN</c> or <c>\uNNNN</c> escape; a malformed one is read as a plain backslash.</summary>
    private static (char Value, int Length) Hex(string text, int from, int digits) =>
        from + digits <= text.Length
        && int.TryParse(text.AsSpan(from, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
            ? ((char)code, digits + 2)
            : ('\\', 1);

    private static string Range(char first, char last) => new([.. Enumerable.Range(first, last - first + 1).Select(c => (char)c)]);
}
