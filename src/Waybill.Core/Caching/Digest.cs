using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Waybill.Core.Hashing;

namespace Waybill.Core.Caching;

/// <summary>Digests of short canonical texts ("algorithm:hex"), in the pipeline's checksum algorithm.</summary>
internal static class Digest
{
    public static string Of(string canonical, ChecksumAlgorithm algorithm)
    {
        var bytes = Encoding.UTF8.GetBytes(canonical);
        var hash = algorithm == ChecksumAlgorithm.Sha256 ? SHA256.HashData(bytes) : XxHash128.Hash(bytes);
        return algorithm.Prefix() + ":" + Convert.ToHexStringLower(hash);
    }
}
