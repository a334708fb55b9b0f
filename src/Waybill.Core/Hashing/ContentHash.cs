using System.IO.Hashing;
using System.Security.Cryptography;

namespace Waybill.Core.Hashing;

/// <summary>A checksum being computed over bytes as they stream by (read from a file or written to one).</summary>
public sealed class ContentHash : IDisposable
{
    private readonly XxHash128? _fast;
    private readonly IncrementalHash? _sha256;

    public ContentHash(ChecksumAlgorithm algorithm)
    {
        Algorithm = algorithm;
        if (algorithm == ChecksumAlgorithm.Sha256) _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        else _fast = new XxHash128();
    }

    public ChecksumAlgorithm Algorithm { get; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_fast is not null) _fast.Append(bytes);
        else _sha256!.AppendData(bytes);
    }

    /// <summary>"xxh128:…" or "sha256:…" of everything appended so far; the hash starts over afterwards.</summary>
    public string Finish()
    {
        Span<byte> digest = stackalloc byte[32];
        var length = _fast is not null ? _fast.GetHashAndReset(digest) : _sha256!.GetHashAndReset(digest);
        return Format(Algorithm, digest[..length]);
    }

    /// <summary>The checksum of bytes that are all in memory, without the incremental state.</summary>
    public static string Of(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> bytes)
    {
        Span<byte> digest = stackalloc byte[32];
        var length = algorithm == ChecksumAlgorithm.Sha256 ? SHA256.HashData(bytes, digest) : XxHash128.Hash(bytes, digest);
        return Format(algorithm, digest[..length]);
    }

    /// <summary>"algorithm:hex" made as one string: every checksum a run records, and every stage's digests, pass through here.</summary>
    public static string Format(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> digest)
    {
        var prefix = algorithm.Prefix();
        var length = prefix.Length + 1 + (digest.Length * 2);
        Span<char> text = length <= 128 ? stackalloc char[length] : new char[length];
        prefix.CopyTo(text);
        text[prefix.Length] = ':';
        Convert.TryToHexStringLower(digest, text[(prefix.Length + 1)..], out _);
        return new string(text);
    }

    public void Dispose() => _sha256?.Dispose();
}
