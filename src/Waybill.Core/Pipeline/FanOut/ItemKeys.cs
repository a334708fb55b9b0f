using System.Text;

namespace Waybill.Core.Pipeline.FanOut;

/// <summary>
/// Item keys and the ids of per-item stage runs. A key is readable and safe as a folder name: <c>Episode 01.mkv</c> is
/// <c>episode-01</c>; the stage run is <c>06_asr[episode-01]</c>, its folder <c>06_asr/episode-01/</c>.
/// </summary>
public static class ItemKeys
{
    /// <summary>Keys longer than this are cut (and still must be unique): a folder name has 255 bytes.</summary>
    public const int MaxLength = 80;

    public const string Rule = "a key is 1 to 80 of a-z, 0-9, '.', '_' or '-', starting with a letter or digit";

    /// <summary><c>06_asr[episode-01]</c>.</summary>
    public static string RunId(string stageId, string key) => stageId + "[" + key + "]";

    /// <summary>Splits <c>06_asr[episode-01]</c> (or <c>asr[episode-01]</c>) into the stage and the key; false for a plain id.</summary>
    public static bool TrySplit(string id, out string stage, out string key)
    {
        stage = id;
        key = "";
        var open = id.IndexOf('[', StringComparison.Ordinal);
        if (open <= 0 || id[^1] != ']') return false;
        stage = id[..open];
        key = id[(open + 1)..^1];
        return key.Length > 0;
    }

    /// <summary>The key of a file item: its name without the extension, made safe.</summary>
    public static string FromFileName(string path) => FromText(Path.GetFileNameWithoutExtension(path));

    /// <summary>
    /// Lower case; every run of characters other than letters, digits, '.', '_' and '-' becomes one '-'; leading and
    /// trailing separators go. Empty when nothing is left (the caller numbers the item instead).
    /// </summary>
    public static string FromText(string text)
    {
        // Most lists hold keys already (item-1, episode-01): such a text is its own key, not copied (a fan-out's items are
        // keyed on every run of it).
        if (IsKeyAsItIs(text)) return text;
        var builder = new StringBuilder(Math.Min(text.Length, MaxLength));
        var dash = false;
        foreach (var rune in text.EnumerateRunes())
        {
            var c = rune.IsAscii ? char.ToLowerInvariant((char)rune.Value) : '\0';
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-')
            {
                // The separator and the character must both fit: a key is at most MaxLength long.
                if (builder.Length + (dash && builder.Length > 0 ? 2 : 1) > MaxLength) break;
                if (dash && builder.Length > 0) builder.Append('-');
                dash = false;
                builder.Append(c);
            }
            else dash = true;
        }
        return builder.ToString().Trim('.', '-', '_');
    }

    /// <summary>What <see cref="FromText"/> leaves as it is: a key as written, ending in a letter or digit (others are trimmed).</summary>
    private static bool IsKeyAsItIs(string text) => IsWrittenKey(text) && char.IsAsciiLetterOrDigit(text[^1]);

    /// <summary>Null when <paramref name="key"/> is a valid key as written (the form <c>stage[key]</c> takes on the command line).</summary>
    public static string? Problem(string key) => IsWrittenKey(key) ? null : $"'{key}' is not a valid item key: {Rule}";

    private static bool IsWrittenKey(string key)
    {
        if (key.Length is 0 or > MaxLength || !char.IsAsciiLetterOrDigit(key[0])) return false;
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-')) return false;
        }
        return true;
    }
}
