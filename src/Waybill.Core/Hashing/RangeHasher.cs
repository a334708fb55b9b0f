using System.Buffers;

namespace Waybill.Core.Hashing;

/// <summary>
/// The checksum of a byte range of a file, in <see cref="FileHasher"/>'s format: whether a grown log still starts with
/// the bytes that were sealed (lines appended) or was changed, and the seal of one run's part of a log runs append to.
/// </summary>
internal static class RangeHasher
{
    private const int BufferSize = 1 << 16;

    /// <summary>The first <paramref name="length"/> bytes from <paramref name="offset"/> (fewer when the file ends first).</summary>
    public static string Compute(string path, ChecksumAlgorithm algorithm, long offset, long length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var hash = new ContentHash(algorithm);
            var end = offset + length;
            int read;
            while (offset < end && (read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(BufferSize, end - offset)), offset)) > 0)
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
