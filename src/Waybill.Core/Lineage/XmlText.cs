using System.Text;

namespace Waybill.Core.Lineage;

/// <summary>Escapes text for SVG and HTML, in element content and in double- or single-quoted attributes alike.</summary>
public static class XmlText
{
    public static string Escape(string text)
    {
        StringBuilder? escaped = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var replacement = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                // XML 1.0 forbids most control characters and lone surrogates even as references: show a replacement character.
                < ' ' and not ('\t' or '\n' or '\r') => "\uFFFD",
                _ when char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) => null,
                _ when char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(text[i - 1]) => null,
                _ when char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' => "\uFFFD",
                _ => null,
            };
            if (replacement is null)
            {
                escaped?.Append(c);
                continue;
            }
            escaped ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            escaped.Append(replacement);
        }
        return escaped?.ToString() ?? text;
    }
}
