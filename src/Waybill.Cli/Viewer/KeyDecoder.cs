using System.Text;

namespace Waybill.Cli.Viewer;

/// <summary>
/// Turns the bytes a terminal sends into keys: printable text, and the escape sequences of arrows, Page Up/Down,
/// Home/End in both the normal (<c>ESC [ A</c>) and the application keypad form (<c>ESC O A</c>). An ESC that arrives
/// alone is the Escape key.
/// </summary>
internal static class KeyDecoder
{
    public static List<ViewerKey> Decode(ReadOnlySpan<byte> input)
    {
        var keys = new List<ViewerKey>();
        var i = 0;
        while (i < input.Length)
        {
            var b = input[i];
            if (b == 0x1B)
            {
                i += Sequence(input[(i + 1)..], keys) + 1;
                continue;
            }
            i++;
            switch (b)
            {
                case (byte)'\t': keys.Add(new(ViewerKeyKind.Tab)); break;
                case (byte)'\r' or (byte)'\n': keys.Add(new(ViewerKeyKind.Enter)); break;
                case 0x7F or 0x08: keys.Add(new(ViewerKeyKind.Backspace)); break;
                case < 0x20: break;
                case < 0x80: keys.Add(new(ViewerKeyKind.Char, (char)b)); break;
                default:
                    // A UTF-8 sequence: its length is in the lead byte's high bits.
                    var length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                    var end = Math.Min(input.Length, i - 1 + length);
                    foreach (var c in Encoding.UTF8.GetString(input[(i - 1)..end])) keys.Add(new(ViewerKeyKind.Char, c));
                    i = end;
                    break;
            }
        }
        return keys;
    }

    /// <summary>Reads the sequence after an ESC; returns the bytes it took.</summary>
    private static int Sequence(ReadOnlySpan<byte> rest, List<ViewerKey> keys)
    {
        if (rest.Length < 2 || rest[0] is not ((byte)'[' or (byte)'O'))
        {
            keys.Add(new(ViewerKeyKind.Escape));
            return 0;
        }
        var end = 1;
        while (end < rest.Length && rest[end] is >= (byte)'0' and <= (byte)'9' or (byte)';') end++;
        if (end >= rest.Length) return rest.Length;
        var parameter = Encoding.ASCII.GetString(rest[1..end]);
        ViewerKeyKind? kind = rest[end] switch
        {
            (byte)'A' => ViewerKeyKind.Up,
            (byte)'B' => ViewerKeyKind.Down,
            (byte)'C' => ViewerKeyKind.Right,
            (byte)'D' => ViewerKeyKind.Left,
            (byte)'H' => ViewerKeyKind.Home,
            (byte)'F' => ViewerKeyKind.End,
            (byte)'~' => parameter switch
            {
                "1" or "7" => ViewerKeyKind.Home,
                "4" or "8" => ViewerKeyKind.End,
                "5" => ViewerKeyKind.PageUp,
                "6" => ViewerKeyKind.PageDown,
                _ => null,
            },
            _ => null,
        };
        if (kind is { } k) keys.Add(new(k));
        return end + 1;
    }
}
