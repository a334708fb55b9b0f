using System.Text;

namespace Waybill.Cli.Viewer;

/// <summary>
/// What the viewer searches a log for, as UTF-8 bytes: the log is searched as it is on disk, so a byte offset is exact
/// even after invalid UTF-8, and nothing is decoded. Ignoring case folds ASCII letters only (<c>Ä</c> finds <c>Ä</c>,
/// not <c>ä</c>): log keywords, stage ids and levels are ASCII.
/// </summary>
internal sealed class LogSearch
{
    private readonly byte[][] _needles;
    private readonly bool _ignoreCase;

    public LogSearch(IEnumerable<string> texts, bool ignoreCase)
    {
        _ignoreCase = ignoreCase;
        _needles = [.. texts.Where(t => t.Length > 0).Select(t => Fold(Encoding.UTF8.GetBytes(t)))];
        Longest = _needles.Length == 0 ? 0 : _needles.Max(n => n.Length);
    }

    /// <summary>The longest needle in bytes: blocks searched one after the other overlap by this much less one.</summary>
    public int Longest { get; }

    /// <summary>Where the first needle found in <paramref name="bytes"/> starts; -1 when none is.</summary>
    public int IndexIn(ReadOnlySpan<byte> bytes)
    {
        var first = -1;
        foreach (var needle in _needles)
        {
            var limit = first < 0 ? bytes : bytes[..Math.Min(bytes.Length, first + needle.Length - 1)];
            var at = _ignoreCase ? IndexIgnoringCase(limit, needle) : limit.IndexOf(needle);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        return first;
    }

    /// <summary>A vectorized scan for the first byte in either case, then the rest compared folded.</summary>
    private static int IndexIgnoringCase(ReadOnlySpan<byte> bytes, byte[] needle)
    {
        var head = needle[0];
        var upper = head is >= (byte)'a' and <= (byte)'z' ? (byte)(head - 32) : head;
        var offset = 0;
        while (offset <= bytes.Length - needle.Length)
        {
            var next = bytes[offset..].IndexOfAny(head, upper);
            if (next < 0) return -1;
            var at = offset + next;
            if (at > bytes.Length - needle.Length) return -1;
            if (EqualsFolded(bytes.Slice(at, needle.Length), needle)) return at;
            offset = at + 1;
        }
        return -1;
    }

    private static bool EqualsFolded(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> folded)
    {
        for (var i = 0; i < folded.Length; i++)
        {
            if (FoldByte(bytes[i]) != folded[i]) return false;
        }
        return true;
    }

    private byte[] Fold(byte[] bytes)
    {
        if (!_ignoreCase) return bytes;
        for (var i = 0; i < bytes.Length; i++) bytes[i] = FoldByte(bytes[i]);
        return bytes;
    }

    private static byte FoldByte(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
}
