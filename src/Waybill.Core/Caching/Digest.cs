using System.Buffers;
using System.Text;
using Waybill.Core.Hashing;

namespace Waybill.Core.Caching;

/// <summary>Digests of short canonical texts ("algorithm:hex"), in the pipeline's checksum algorithm.</summary>
internal static class Digest
{
    private const int OnStack = 1024;

    public static string Of(string canonical, ChecksumAlgorithm algorithm)
    {
        // Encoded on the stack when short: a no-op rerun digests every stage run's definition.
        var most = Encoding.UTF8.GetMaxByteCount(canonical.Length);
        var rented = most > OnStack ? ArrayPool<byte>.Shared.Rent(most) : null;
        try
        {
            Span<byte> bytes = rented is null ? stackalloc byte[OnStack] : rented;
            return ContentHash.Of(algorithm, bytes[..Encoding.UTF8.GetBytes(canonical, bytes)]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
