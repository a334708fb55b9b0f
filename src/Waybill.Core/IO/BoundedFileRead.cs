using System.Text;

namespace Waybill.Core.IO;

/// <summary>
/// Reads a whole file that must not be larger than a bound: whatever its length claims (a link to <c>/dev/zero</c>
/// claims 0 and never ends), no more than the bound and one byte are read. Each kind of file keeps its own bound next
/// to the code that owns it. Public for stage code, which reads files its users hand it (a glossary, a model registry)
/// under the same rule: every parser has bounds.
/// </summary>
public static class BoundedFileRead
{
    /// <summary>True with the file's bytes; false when it holds more than <paramref name="maxBytes"/>.</summary>
    public static bool TryReadAllBytes(string path, int maxBytes, out byte[] bytes)
    {
        using var stream = Open(path);
        var known = stream.CanSeek ? stream.Length : 0;
        // A regular file says its length at once (a sparse one of gigabytes is not read); a device or a pipe is read to the bound.
        if (known > maxBytes)
        {
            bytes = [];
            return false;
        }
        var buffer = new byte[(int)Math.Clamp(known + 1, 1, (long)maxBytes + 1)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > maxBytes) break;
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, (long)maxBytes + 1));
            }
            var read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0) break;
            length += read;
        }
        bytes = length > maxBytes ? [] : buffer.AsSpan(0, length).ToArray();
        return length <= maxBytes;
    }

    /// <summary>The file's bytes.</summary>
    /// <exception cref="FileLimitException">
    /// It holds more than <paramref name="maxBytes"/>; the message names it, the bound and what to do.
    /// </exception>
    public static byte[] ReadAllBytes(string path, int maxBytes, string kind, string whatToDo) =>
        TryReadAllBytes(path, maxBytes, out var bytes) ? bytes : throw FileLimitException.TooLarge(path, maxBytes, kind, whatToDo);

    /// <summary>The file's text, decoded as <c>File.ReadAllText</c> does (UTF-8 unless a byte order mark says otherwise).</summary>
    /// <exception cref="FileLimitException">It holds more than <paramref name="maxBytes"/>.</exception>
    public static string ReadAllText(string path, int maxBytes, string kind, string whatToDo) =>
        Decode(ReadAllBytes(path, maxBytes, kind, whatToDo));

    /// <summary>
    /// The file's lines, one at a time, as <c>File.ReadLines</c> gives them (see <see cref="BoundedLineReader"/>), never
    /// holding more than one line: a line of more than <paramref name="maxLineBytes"/> (of UTF-8 text) or a file longer than
    /// <paramref name="maxBytes"/> stops the reading with a <see cref="FileLimitException"/>.
    /// </summary>
    public static IEnumerable<string> ReadLines(string path, long maxBytes, int maxLineBytes, string kind, string whatToDo)
    {
        using var stream = Open(path);
        foreach (var line in new BoundedLineReader(stream, path, maxBytes, maxLineBytes, kind, whatToDo).Lines()) yield return line;
    }

    /// <summary>
    /// A stream over the file that throws a <see cref="FileLimitException"/> once more than <paramref name="maxBytes"/>
    /// were read, for a parser that reads a stream (<c>JsonDocument.Parse</c> reads it to the end before it parses).
    /// </summary>
    public static Stream OpenBounded(string path, long maxBytes, string kind, string whatToDo) =>
        new LimitedReadStream(Open(path), maxBytes, () => FileLimitException.TooLarge(path, maxBytes, kind, whatToDo));

    /// <summary>
    /// UTF-8 JSON without the byte order mark an editor may have put first (the JSON parsers refuse it; File.ReadAllText
    /// dropped it).
    /// </summary>
    public static ReadOnlySpan<byte> Json(byte[] bytes) =>
        bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? bytes.AsSpan(Encoding.UTF8.Preamble.Length) : bytes;

    /// <summary>Text as <c>File.ReadAllText</c> decodes it: UTF-8 unless a byte order mark says otherwise.</summary>
    public static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    // S_IFIFO: opening a named pipe waits for a writer, so a job file replaced by one would hang every command that reads it.
    private const int ModeFifo = 0x1000;

    private static FileStream Open(string path)
    {
        if (Hashing.StatX.Stat(Hashing.StatX.AtFdCwd, path, 0, 0x1, out var entry) == 0 && (entry.Mode & Hashing.StatX.ModeTypeMask) == ModeFifo)
            throw new IOException($"{path} is a named pipe, not a file: remove it, or put back the file it replaced");
        return new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
    }
}
