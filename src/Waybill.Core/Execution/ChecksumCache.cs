using System.Collections.Concurrent;
using Waybill.Core.Hashing;

namespace Waybill.Core.Execution;

/// <summary>
/// Remembers the hash of a file by (path, size, mtime), so a file produced by one stage and read by the next
/// is hashed once per run, not once per manifest.
/// </summary>
public sealed class ChecksumCache(ChecksumAlgorithm algorithm)
{
    private readonly ConcurrentDictionary<string, (long Size, long MtimeTicks, string Hash)> _known = new(StringComparer.Ordinal);

    public ChecksumAlgorithm Algorithm { get; } = algorithm;

    public string Get(string fullPath, long size, DateTime mtimeUtc)
    {
        if (_known.TryGetValue(fullPath, out var known) && known.Size == size && known.MtimeTicks == mtimeUtc.Ticks) return known.Hash;
        var hash = FileHasher.Compute(fullPath, Algorithm);
        _known[fullPath] = (size, mtimeUtc.Ticks, hash);
        return hash;
    }

    public void Remember(string fullPath, long size, DateTime mtimeUtc, string hash) => _known[fullPath] = (size, mtimeUtc.Ticks, hash);
}
