using System.Buffers;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Waybill.Core.Hashing;

/// <summary>Streams a file through a hash in a fixed-size buffer, so memory stays bounded whatever the file size.</summary>
public static class FileHasher
{
    private const int BufferSize = 1 << 20;

    public static string Compute(string path, ChecksumAlgorithm algorithm)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            return algorithm switch
            {
                ChecksumAlgorithm.Sha256 => HashWith(IncrementalHash.CreateHash(HashAlgorithmName.SHA256), stream, buffer),
                _ => HashWith(new XxHash128(), stream, buffer),
            };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        string HashWith(object hasher, Stream stream, byte[] buffer)
        {
            int read;
            while ((read = stream.Read(buffer, 0, BufferSize)) > 0)
            {
                if (hasher is NonCryptographicHashAlgorithm fast) fast.Append(buffer.AsSpan(0, read));
                else ((IncrementalHash)hasher).AppendData(buffer, 0, read);
            }
            var digest = hasher is NonCryptographicHashAlgorithm f ? f.GetHashAndReset() : ((IncrementalHash)hasher).GetHashAndReset();
            (hasher as IDisposable)?.Dispose();
            return algorithm.Prefix() + ":" + Convert.ToHexStringLower(digest);
        }
    }
}
