using System.Buffers;
using Waybill.Core.Hashing;

namespace Waybill.Core.Integrity;

/// <summary>
/// The checksum of a file's first N bytes, in <see cref="FileHasher"/>'s format: whether a grown log still starts
/// with the bytes that were sealed (lines appended) or was changed.
/// </summary>
internal static class PrefixHasher
{
    private const int BufferSize = 1 << 16;

    public static string Compute(string path, ChecksumAlgorithm algorithm, long length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var hash = new ContentHash(algorithm);
            long offset = 0;
            int read;
            while (offset < length && (read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(BufferSize, length - offset)), offset)) > 0)
            {
                hash.Append(buffer.AsSpan(0, read));
                offset += read;
            }
            return hash.Finish();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
