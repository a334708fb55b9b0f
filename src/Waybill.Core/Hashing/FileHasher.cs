using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Waybill.Core.Hashing;

/// <summary>Streams a file through a hash in a fixed-size buffer, so memory stays bounded whatever the file size.</summary>
public static class FileHasher
{
    private const int BufferSize = 1 << 20;

    public static string Compute(string path, ChecksumAlgorithm algorithm)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var span = buffer.AsSpan(0, BufferSize);
            var first = Fill(handle, span, 0);
            // A file that fits the buffer is hashed in one call, without incremental state.
            if (first < span.Length) return ContentHash.Of(algorithm, span[..first]);
            using var hash = new ContentHash(algorithm);
            hash.Append(span);
            long offset = first;
            int read;
            while ((read = RandomAccess.Read(handle, span, offset)) > 0)
            {
                hash.Append(span[..read]);
                offset += read;
            }
            return hash.Finish();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads until the span is full or the file ends; returns the bytes read.</summary>
    private static int Fill(SafeFileHandle handle, Span<byte> span, long offset)
    {
        var total = 0;
        int read;
        while (total < span.Length && (read = RandomAccess.Read(handle, span[total..], offset + total)) > 0) total += read;
        return total;
    }
}
