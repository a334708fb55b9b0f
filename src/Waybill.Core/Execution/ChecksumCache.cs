using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Waybill.Core.Hashing;

namespace Waybill.Core.Execution;

/// <summary>
/// Remembers the checksum of a file by its full path and <see cref="FileStamp"/> (size, mtime and ctime in
/// nanoseconds, inode, device), so a file produced by one stage and read by the next is hashed once per run,
/// and, saved in <c>.waybill/stat-cache</c>, not again by later runs while it is untouched. Thread-safe.
/// </summary>
/// <remarks>
/// A file rewritten within the same timestamp tick right after it was hashed keeps its stamp (git's "racy clean"
/// case). An entry whose file changed less than <see cref="RacyWindow"/> before the entry was recorded is
/// therefore trusted only by the cache that recorded it (its own run, whose stages wrote those files) and never
/// by a later run: that run hashes the file again, and the new entry, now recorded well after the change, is
/// trusted from then on.
/// </remarks>
public sealed class ChecksumCache(ChecksumAlgorithm algorithm)
{
    public const int DefaultMaxEntries = 200_000;

    /// <summary>Two seconds: the coarsest file-system timestamps (FAT, some network file systems) plus clock skew.</summary>
    public static TimeSpan RacyWindow => TimeSpan.FromTicks(RacyWindowNs / 100);

    private const long RacyWindowNs = 2_000_000_000;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _filesHashed;
    // Loaded on first use: a run whose files all match their manifests never needs it (a no-op rerun decides without it).
    private Lazy<bool>? _pendingLoad;

    public ChecksumAlgorithm Algorithm { get; } = algorithm;

    /// <summary>At most this many entries are saved; the least recently used are dropped first.</summary>
    public int MaxEntries { get; init; } = DefaultMaxEntries;

    public int Count
    {
        get
        {
            EnsureLoaded();
            return _entries.Count;
        }
    }

    /// <summary>How many times this cache read a file to hash it (cache hits and remembered checksums do not count).</summary>
    public long FilesHashed => Interlocked.Read(ref _filesHashed);

    /// <summary>The checksum of a regular file: from the cache while its stamp is unchanged, else read and hashed.</summary>
    /// <exception cref="IOException">The path is missing, a directory, a symbolic link loop or not a regular file; the message says which.</exception>
    public string GetOrCompute(string fullPath)
    {
        if (!Path.IsPathFullyQualified(fullPath)) fullPath = Path.GetFullPath(fullPath);
        EnsureLoaded();
        var now = NowNs();
        var status = FileStamp.TryRead(fullPath, out var stamp);
        if (status != FileStampStatus.RegularFile) throw FileStamp.Problem(status, fullPath);
        if (_entries.TryGetValue(fullPath, out var entry) && entry.Stamp == stamp && (!entry.Loaded || !entry.Racy))
        {
            entry.Touch(now);
            return entry.Hash;
        }
        return Hash(fullPath, stamp, now);
    }

    /// <summary>
    /// The checksum of <paramref name="fullPath"/>, whose size and mtime the caller has just seen. The stamp is
    /// read again, so a file changed since is hashed as it is now.
    /// </summary>
    public string Get(string fullPath, long size, DateTime mtimeUtc) => GetOrCompute(fullPath);

    /// <summary>Hashes many files, <paramref name="parallelism"/> at a time; the checksums come back in the order of the paths.</summary>
    public string[] ComputeMany(IEnumerable<string> fullPaths, int parallelism)
    {
        var paths = fullPaths as IReadOnlyList<string> ?? [.. fullPaths];
        var hashes = new string[paths.Count];
        if (parallelism <= 1 || paths.Count < 2)
        {
            for (var i = 0; i < paths.Count; i++) hashes[i] = GetOrCompute(paths[i]);
            return hashes;
        }
        try
        {
            Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i => hashes[i] = GetOrCompute(paths[i]));
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return hashes;
    }

    /// <summary>
    /// Records a checksum the caller computed from the bytes it wrote, for a file whose size and mtime it saw
    /// after writing. Ignored when the file has changed since (its size or mtime differ now).
    /// </summary>
    public void Remember(string fullPath, long size, DateTime mtimeUtc, string hash)
    {
        if (FileStamp.TryRead(fullPath, out var stamp) != FileStampStatus.RegularFile) return;
        if (stamp.Size != size || stamp.MtimeNs / 100 != mtimeUtc.Ticks - DateTime.UnixEpoch.Ticks) return;
        Remember(fullPath, stamp, hash);
    }

    /// <summary>Records a checksum the caller computed from the bytes it wrote, for the file as it is now.</summary>
    public void Remember(string fullPath, string hash)
    {
        if (FileStamp.TryRead(fullPath, out var stamp) == FileStampStatus.RegularFile) Remember(fullPath, stamp, hash);
    }

    /// <summary>Records a checksum for the file whose stamp is <paramref name="stamp"/>.</summary>
    public void Remember(string fullPath, FileStamp stamp, string hash)
    {
        if (!hash.StartsWith(Algorithm.Prefix() + ":", StringComparison.Ordinal))
            throw new ArgumentException($"checksum '{hash}' is not {Algorithm.Prefix()}, the algorithm of this cache", nameof(hash));
        EnsureLoaded();
        var now = NowNs();
        _entries[Path.GetFullPath(fullPath)] = new Entry(stamp, hash, now, now, loaded: false);
    }

    /// <summary>
    /// The cache saved in <paramref name="file"/>, keeping the entries of <paramref name="algorithm"/>. A missing,
    /// truncated, damaged or other-version file gives an empty cache: it is a cache, so it is rebuilt, never an error.
    /// </summary>
    public static ChecksumCache Load(string file, ChecksumAlgorithm algorithm, int maxEntries = DefaultMaxEntries)
    {
        var cache = new ChecksumCache(algorithm) { MaxEntries = maxEntries };
        cache._pendingLoad = new Lazy<bool>(() =>
        {
            foreach (var record in StatCacheFile.Read(file))
            {
                if (record.Algorithm != algorithm) continue;
                var hash = ContentHash.Format(algorithm, record.Digest);
                cache._entries.TryAdd(record.Path, new Entry(record.Stamp, hash, record.RecordedAtNs, record.LastUsedNs, loaded: true));
            }
            return true;
        }, LazyThreadSafetyMode.ExecutionAndPublication);
        return cache;
    }

    private void EnsureLoaded() => _ = _pendingLoad?.Value;

    /// <summary>Writes the cache to <paramref name="file"/> atomically, the <see cref="MaxEntries"/> most recently used entries.</summary>
    public void Save(string file)
    {
        // Never loaded means never used: the saved file is still exactly right.
        if (_pendingLoad is { IsValueCreated: false } && File.Exists(file)) return;
        EnsureLoaded();
        var prefixLength = Algorithm.Prefix().Length + 1;
        var records = _entries.Select(pair => new StatCacheRecord(pair.Key, pair.Value.Stamp, Algorithm,
            Convert.FromHexString(pair.Value.Hash.AsSpan(prefixLength)), pair.Value.RecordedAtNs, pair.Value.LastUsedNs)).ToList();
        if (records.Count > MaxEntries)
            records = [.. records.OrderByDescending(r => r.LastUsedNs).Take(MaxEntries)];
        StatCacheFile.Write(file, records);
    }

    private string Hash(string fullPath, FileStamp before, long now)
    {
        var hash = StampedFileHasher.Compute(fullPath, Algorithm, before, out var unchanged);
        Interlocked.Increment(ref _filesHashed);
        // Written to, or replaced, while it was read: the checksum is returned but matches no stamp to remember it by.
        if (unchanged) _entries[fullPath] = new Entry(before, hash, now, now, loaded: false);
        else _entries.TryRemove(fullPath, out _);
        return hash;
    }

    private static long NowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>A remembered checksum. <paramref name="recordedAtNs"/> is when the stamp was read, before the file was.</summary>
    private sealed class Entry(FileStamp stamp, string hash, long recordedAtNs, long lastUsedNs, bool loaded)
    {
        private long _lastUsedNs = lastUsedNs;

        public FileStamp Stamp { get; } = stamp;
        public string Hash { get; } = hash;
        public long RecordedAtNs { get; } = recordedAtNs;
        public bool Loaded { get; } = loaded;
        public long LastUsedNs => Volatile.Read(ref _lastUsedNs);

        /// <summary>The file changed (mtime or ctime) within the racy window before the entry was recorded.</summary>
        public bool Racy => RecordedAtNs - Math.Max(Stamp.MtimeNs, Stamp.CtimeNs) < RacyWindowNs;

        public void Touch(long nowNs) => Volatile.Write(ref _lastUsedNs, nowNs);
    }
}
