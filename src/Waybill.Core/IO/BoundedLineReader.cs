using System.Text;

namespace Waybill.Core.IO;

/// <summary>
/// Splits a stream into UTF-8 lines without ever holding more than one line and a read buffer: a line of gigabytes with
/// no newline (a link to <c>/dev/zero</c>) is refused once it passes <c>maxLineBytes</c>, not read into one string.
/// </summary>
internal sealed class BoundedLineReader(Stream stream, string path, long maxBytes, int maxLineBytes, string kind, string whatToDo)
{
    private const int ChunkBytes = 64 * 1024;

    public IEnumerable<string> Lines()
    {
        var chunk = new byte[ChunkBytes];
        using var line = new MemoryStream();
        long total = 0;
        var number = 1;
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            total += read;
            if (total > maxBytes) throw FileLimitException.TooLarge(path, maxBytes, kind, whatToDo);
            for (var start = 0; start < read;)
            {
                var end = Array.IndexOf(chunk, (byte)'\n', start, read - start);
                var length = (end < 0 ? read : end) - start;
                if (line.Length + length > maxLineBytes) throw FileLimitException.LineTooLong(path, number, maxLineBytes, kind, whatToDo);
                line.Write(chunk, start, length);
                if (end < 0) break;
                yield return Text(line, number++);
                line.SetLength(0);
                start = end + 1;
            }
        }
        if (line.Length > 0) yield return Text(line, number);
    }

    /// <summary>The line without its <c>\r</c> (of <c>\r\n</c>), and the first without a UTF-8 byte order mark.</summary>
    private static string Text(MemoryStream line, int number)
    {
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (number == 1 && bytes.StartsWith(Encoding.UTF8.Preamble)) bytes = bytes[Encoding.UTF8.Preamble.Length..];
        if (bytes.Length > 0 && bytes[^1] == '\r') bytes = bytes[..^1];
        return Encoding.UTF8.GetString(bytes);
    }
}
