using System.Buffers;
using System.Text;

namespace Waybill.Core.Pipeline.ShellQuoting;

/// <summary>Writes a value so that the shell reads it back as exactly those characters, in the context it stands in.</summary>
public static class ShellEscaping
{
    /// <summary>
    /// Characters that need no quoting in a word. Not '=' (a bare <c>NAME=value</c> first word is an assignment, not a
    /// command), not '~' (tilde expansion), and no glob, quote, expansion or operator character.
    /// </summary>
    private static readonly SearchValues<char> Bare = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:+,@%-");

    /// <summary>Reserved words change the grammar where a command starts, so they are quoted too.</summary>
    private static readonly HashSet<string> ReservedWords = new(StringComparer.Ordinal)
    {
        "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "in", "function", "select", "time",
    };

    private static readonly SearchValues<char> DoubleQuoteSpecial = SearchValues.Create("$`\"\\");

    /// <summary>The value as one unquoted shell word: as it is when only safe characters, otherwise in single quotes.</summary>
    public static string Word(string value)
    {
        if (value.Length > 0 && !value.AsSpan().ContainsAnyExcept(Bare) && !ReservedWords.Contains(value)) return value;
        var builder = new StringBuilder(value.Length + 2);
        AppendWord(builder, value);
        return builder.ToString();
    }

    /// <summary>Appends <paramref name="value"/> for <paramref name="context"/>, which must be one of the safe contexts.</summary>
    public static void Append(StringBuilder builder, ShellContext context, string value)
    {
        switch (context)
        {
            case ShellContext.Unquoted:
                if (value.Length > 0 && !value.AsSpan().ContainsAnyExcept(Bare) && !ReservedWords.Contains(value)) builder.Append(value);
                else AppendWord(builder, value);
                break;
            case ShellContext.SingleQuoted:
                // Close the author's quote, add an escaped quote, reopen: 'it'\''s'. Everything else, newlines included, is literal.
                foreach (var c in value)
                {
                    if (c == '\'') builder.Append("'\\''");
                    else builder.Append(c);
                }
                break;
            case ShellContext.DoubleQuoted:
                // Inside "…" only $ ` " \ are special (and \ before a newline, which the escaped \ never is); a newline is literal.
                var rest = value.AsSpan();
                while (rest.IndexOfAny(DoubleQuoteSpecial) is var i && i >= 0)
                {
                    builder.Append(rest[..i]).Append('\\').Append(rest[i]);
                    rest = rest[(i + 1)..];
                }
                builder.Append(rest);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(context), context, "no escaping makes a value safe in this context");
        }
    }

    private static void AppendWord(StringBuilder builder, string value)
    {
        builder.Append('\'');
        Append(builder, ShellContext.SingleQuoted, value);
        builder.Append('\'');
    }
}
