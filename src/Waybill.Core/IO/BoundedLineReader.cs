using System.Text;

namespace Waybill.Core.IO;

/// <summary>
/// Splits a stream into lines as <c>File.ReadLines</c> does (UTF-8 unless a byte order mark says UTF-16 or UTF-32; a line
/// ends at <c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>; a last line without its end included) without ever holding more
/// than one line and a read buffer: a line of gigabytes with no end (a link to <c>/dev/zero</c>) is refused once its text
/// passes <c>maxLineBytes</c> of UTF-8, and the stream once it passes <c>maxBytes</c>.
/// </summary>
internal sealed class BoundedLineReader(Stream stream, string path, long maxBytes, int maxLineBytes, string kind, string whatToDo)
{
    private const int ChunkChars = 32 * 1024;

    public IEnumerable<string> Lines()
    {
        var bounded = new LimitedReadStream(stream, maxBytes, () => FileLimitException.TooLarge(path, maxBytes, kind, whatToDo));
        using var reader = new StreamReader(bounded, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, ChunkChars);
        var chunk = new char[ChunkChars];
        var line = new StringBuilder();
        long lineBytes = 0;
        var number = 1;
        var afterReturn = false;
        int read;
        while ((read = reader.Read(chunk, 0, chunk.Length)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                var c = chunk[i];
                if (c == '\n' && afterReturn)
                {
                    // The \n of a \r\n: the line ended at the \r.
                    afterReturn = false;
                    start = i + 1;
                    continue;
                }
                afterReturn = false;
                if (c is '\r' or '\n')
                {
                    line.Append(chunk, start, i - start);
                    yield return line.ToString();
                    line.Clear();
                    (lineBytes, afterReturn, start) = (0, c == '\r', i + 1);
                    number++;
                    continue;
                }
                // UTF-8 length of the text (a surrogate pair is four bytes, two per half), so the bound means the same in any encoding.
                lineBytes += c < 0x80 ? 1 : c < 0x800 || char.IsSurrogate(c) ? 2 : 3;
                if (lineBytes > maxLineBytes) throw FileLimitException.LineTooLong(path, number, maxLineBytes, kind, whatToDo);
            }
            line.Append(chunk, start, read - start);
        }
        if (line.Length > 0) yield return line.ToString();
    }
}
