namespace Waybill.Core.IO;

/// <summary>
/// Reads a whole file that must not be larger than a bound: whatever its length claims (a link to <c>/dev/zero</c>
/// claims 0 and never ends), no more than the bound and one byte are read.
/// </summary>
internal static class BoundedFileRead
{
    /// <summary>True with the file's bytes; false when it holds more than <paramref name="maxBytes"/>.</summary>
    public static bool TryReadAllBytes(string path, int maxBytes, out byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1,
            FileOptions.SequentialScan);
        var known = stream.CanSeek ? stream.Length : 0;
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
}
