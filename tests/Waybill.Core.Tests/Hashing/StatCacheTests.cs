using Waybill.Core.Execution;
using Waybill.Core.Hashing;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Checksums;

/// <summary>
/// ChecksumCache as a stat cache: a file is hashed again exactly when its stamp (size, mtime, ctime, inode, device)
/// says it may have changed, and the cache survives between runs in a file that may be lost or damaged.
/// </summary>
public sealed class StatCacheTests(SettledFiles settled) : IDisposable, IClassFixture<SettledFiles>
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Hash(string path) => FileHasher.Compute(path, ChecksumAlgorithm.XxHash128);

    [Fact]
    public void An_unchanged_file_is_hashed_once()
    {
        var path = _temp.Write("a.txt", "same content");
        var cache = new ChecksumCache(ChecksumAlgorithm.XxHash128);

        var first = cache.GetOrCompute(path);
        var second = cache.GetOrCompute(path);
        var info = new FileInfo(path);
        var third = cache.Get(path, info.Length, info.LastWriteTimeUtc);

        Assert.Equal(Hash(path), first);
        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.Equal(1, cache.FilesHashed);
    }

    [Fact]
    public void A_file_with_new_content_is_hashed_again()
    {
        var path = _temp.Write("a.txt", "before");
        var cache = new ChecksumCache(ChecksumAlgorithm.XxHash128);
        var before = cache.GetOrCompute(path);

        File.WriteAllText(path, "after, and longer");

        Assert.Equal(Hash(path), cache.GetOrCompute(path));
        Assert.NotEqual(before, cache.GetOrCompute(path));
        Assert.Equal(2, cache.FilesHashed);
    }

    [Fact]
    public void A_remembered_checksum_is_kept_only_for_the_size_and_mtime_it_was_given_with()
    {
        var path = _temp.Write("written.txt", "written by a stage");
        var info = new FileInfo(path);
        var cache = new ChecksumCache(ChecksumAlgorithm.XxHash128);

        cache.Remember(path, info.Length + 1, info.LastWriteTimeUtc, "xxh128:11111111111111111111111111111111");
        Assert.Equal(0, cache.Count);
        cache.Remember(path, info.Length, info.LastWriteTimeUtc, Hash(path));

        Assert.Equal(Hash(path), cache.Get(path, info.Length, info.LastWriteTimeUtc));
        Assert.Equal(0, cache.FilesHashed);
    }

    [Fact]
    public void Same_size_and_restored_mtime_do_not_fool_the_cache_because_ctime_changed()
    {
        var path = _temp.Write("a.txt", "aaaa");
        SetWholeTickMtime(path);
        var cache = new ChecksumCache(ChecksumAlgorithm.XxHash128);
        var before = cache.GetOrCompute(path);
        var stamp = FileStamp.Read(path);
        WaitForNextTimestampTick();

        File.WriteAllText(path, "bbbb");
        File.SetLastWriteTimeUtc(path, stamp.MtimeUtc);
        var now = FileStamp.Read(path);
        Assert.Equal((stamp.Size, stamp.MtimeNs, stamp.Inode), (now.Size, now.MtimeNs, now.Inode));

        var after = cache.GetOrCompute(path);
        Assert.NotEqual(before, after);
        Assert.Equal(Hash(path), after);
        Assert.Equal(2, cache.FilesHashed);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_chmod_alone_changes_ctime_and_makes_the_file_be_hashed_again()
    {
        var path = _temp.Write("a.txt", "content");
        var cache = new ChecksumCache(ChecksumAlgorithm.XxHash128);
        var before = cache.GetOrCompute(path);
        WaitForNextTimestampTick();

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal(before, cache.GetOrCompute(path));
        Assert.Equal(2, cache.FilesHashed);
    }

    [Fact]
    public void A_file_replaced_by_another_inode_is_hashed_again()
    {
        var path = _temp.Write("a.txt", "one!");
        SetWholeTickMtime(path);
        var cache = new ChecksumCache(ChecksumAlgorithm.XxHash128);
        var before = cache.GetOrCompute(path);
        var stamp = FileStamp.Read(path);

        var replacement = _temp.Write("b.txt", "two!");
        File.SetLastWriteTimeUtc(replacement, stamp.MtimeUtc);
        File.Move(replacement, path, overwrite: true);

        Assert.NotEqual(before, cache.GetOrCompute(path));
        Assert.Equal(Hash(path), cache.GetOrCompute(path));
        Assert.Equal(2, cache.FilesHashed);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(1_500_000)]
    public void A_file_that_grew_between_stat_and_read_is_hashed_in_full_and_not_remembered(int size)
    {
        var path = _temp.Write("grows.bin", new string('a', size));
        var stamp = FileStamp.Read(path);
        File.AppendAllText(path, new string('b', 1_100_000));

        var hash = StampedFileHasher.Compute(path, ChecksumAlgorithm.XxHash128, stamp, out var unchanged);

        Assert.False(unchanged);
        Assert.Equal(Hash(path), hash);
    }

    [Fact]
    public void Directories_missing_files_and_symlink_loops_are_clear_errors()
    {
        var cache = new ChecksumCache(ChecksumAlgorithm.XxHash128);
        var loopA = _temp.Combine("loop-a");
        File.CreateSymbolicLink(loopA, _temp.Combine("loop-b"));
        File.CreateSymbolicLink(_temp.Combine("loop-b"), loopA);

        var directory = Assert.Throws<IOException>(() => cache.GetOrCompute(_temp.Path));
        Assert.Equal($"{_temp.Path} is a directory; only regular files have checksums", directory.Message);
        var loop = Assert.Throws<IOException>(() => cache.GetOrCompute(loopA));
        Assert.Equal($"{loopA} is a symbolic link loop (too many levels of symbolic links); only regular files have checksums", loop.Message);
        Assert.Throws<FileNotFoundException>(() => cache.GetOrCompute(_temp.Combine("absent.txt")));
        Assert.Equal(0, cache.FilesHashed);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Saved_entries_spare_a_later_run_from_hashing_settled_files()
    {
        var file = _temp.Combine(".waybill", "stat-cache");
        var first = new ChecksumCache(ChecksumAlgorithm.XxHash128);
        var hashes = settled.Paths.Select(first.GetOrCompute).ToList();
        first.Save(file);

        var second = ChecksumCache.Load(file, ChecksumAlgorithm.XxHash128);
        Assert.Equal(settled.Paths.Count, second.Count);
        Assert.Equal(hashes, settled.Paths.Select(second.GetOrCompute));
        Assert.Equal(0, second.FilesHashed);
        Assert.Equal(settled.Paths.Select(Hash), hashes);
    }

    [Fact]
    public void Entries_of_another_algorithm_are_ignored()
    {
        var file = _temp.Combine("stat-cache");
        var xxh = new ChecksumCache(ChecksumAlgorithm.XxHash128);
        xxh.GetOrCompute(settled.Paths[0]);
        xxh.Save(file);

        var sha = ChecksumCache.Load(file, ChecksumAlgorithm.Sha256);
        Assert.Equal(0, sha.Count);
        Assert.Equal(FileHasher.Compute(settled.Paths[0], ChecksumAlgorithm.Sha256), sha.GetOrCompute(settled.Paths[0]));
        Assert.StartsWith("sha256:", sha.GetOrCompute(settled.Paths[0]), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => sha.Remember(settled.Paths[1], FileStamp.Read(settled.Paths[1]), Hash(settled.Paths[1])));
    }

    [Fact]
    public void A_racy_entry_is_trusted_by_its_own_run_only()
    {
        // A file rewritten within the timestamp tick in which it was hashed keeps its stamp; no test can make the
        // kernel do that on purpose, so a remembered wrong checksum stands for the content that changed unseen.
        const string stale = "xxh128:00000000000000000000000000000000";
        var old = settled.Paths[0];
        var fresh = _temp.Write("fresh.txt", "changed just now");
        var file = _temp.Combine("stat-cache");
        var run = new ChecksumCache(ChecksumAlgorithm.XxHash128);
        run.Remember(old, FileStamp.Read(old), stale);
        run.Remember(fresh, FileStamp.Read(fresh), stale);
        // Within the run that recorded them both are trusted: that is what spares the engine reading its own outputs back.
        Assert.Equal(stale, run.GetOrCompute(fresh));
        run.Save(file);

        var later = ChecksumCache.Load(file, ChecksumAlgorithm.XxHash128);
        // Recorded seconds after its last change: the stamp alone is trusted.
        Assert.Equal(stale, later.GetOrCompute(old));
        // Recorded within two seconds of its change: hashed again.
        Assert.Equal(Hash(fresh), later.GetOrCompute(fresh));
        Assert.Equal(1, later.FilesHashed);
    }

    [Fact]
    public void A_missing_or_damaged_cache_file_is_an_empty_cache()
    {
        var file = _temp.Combine("stat-cache");
        Assert.Equal(0, ChecksumCache.Load(file, ChecksumAlgorithm.XxHash128).Count);
        Assert.Equal(0, ChecksumCache.Load(_temp.Path, ChecksumAlgorithm.XxHash128).Count);

        var cache = new ChecksumCache(ChecksumAlgorithm.XxHash128);
        foreach (var path in settled.Paths) cache.GetOrCompute(path);
        cache.Save(file);
        var good = File.ReadAllBytes(file);
        Assert.Equal(settled.Paths.Count, ChecksumCache.Load(file, ChecksumAlgorithm.XxHash128).Count);

        foreach (var damaged in new[]
        {
            good[..(good.Length / 2)],
            good[..^1],
            Flip(good, good.Length / 2),
            Flip(good, 3),
            "not a cache at all\n"u8.ToArray(),
            [],
        })
        {
            File.WriteAllBytes(file, damaged);
            var loaded = ChecksumCache.Load(file, ChecksumAlgorithm.XxHash128);
            Assert.Equal(0, loaded.Count);
            Assert.Equal(Hash(settled.Paths[0]), loaded.GetOrCompute(settled.Paths[0]));
            loaded.Save(file);
            Assert.Equal(1, ChecksumCache.Load(file, ChecksumAlgorithm.XxHash128).Count);
        }
    }

    [Fact]
    public void A_cache_file_of_another_version_is_an_empty_cache()
    {
        var file = _temp.Combine("stat-cache");
        var cache = new ChecksumCache(ChecksumAlgorithm.XxHash128);
        cache.GetOrCompute(settled.Paths[0]);
        cache.Save(file);

        // The version follows the 19-byte magic line; the trailing XxHash64 is recomputed so only the version differs.
        var bytes = File.ReadAllBytes(file);
        Assert.Equal(1, BitConverter.ToInt32(bytes, 19));
        bytes[19] = 2;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), System.IO.Hashing.XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)));
        File.WriteAllBytes(file, bytes);

        Assert.Equal(0, ChecksumCache.Load(file, ChecksumAlgorithm.XxHash128).Count);
    }

    [Fact]
    public void Saving_keeps_the_most_recently_used_entries_up_to_the_bound()
    {
        var file = _temp.Combine("stat-cache");
        var cache = new ChecksumCache(ChecksumAlgorithm.XxHash128) { MaxEntries = 3 };
        foreach (var path in settled.Paths)
        {
            cache.GetOrCompute(path);
            Thread.Sleep(2);
        }
        cache.GetOrCompute(settled.Paths[0]);
        cache.Save(file);

        var loaded = ChecksumCache.Load(file, ChecksumAlgorithm.XxHash128);
        Assert.Equal(3, loaded.Count);
        // Paths[0] (used last) and the two most recent others were kept: none of them is hashed again.
        foreach (var path in new[] { settled.Paths[0], settled.Paths[^1], settled.Paths[^2] }) loaded.GetOrCompute(path);
        Assert.Equal(0, loaded.FilesHashed);
        loaded.GetOrCompute(settled.Paths[1]);
        Assert.Equal(1, loaded.FilesHashed);
    }

    [Fact]
    public void Parallel_lookups_remembers_and_saves_agree_with_the_hasher()
    {
        var paths = Enumerable.Range(0, 200).Select(i => _temp.Write($"many/{i:D3}.bin", new string((char)('a' + (i % 26)), 1000 + i))).ToList();
        var expected = paths.ToDictionary(p => p, Hash);
        var file = _temp.Combine("stat-cache");
        var cache = new ChecksumCache(ChecksumAlgorithm.XxHash128);

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            var order = paths.OrderBy(p => HashCode.Combine(p, worker)).ToList();
            foreach (var path in order)
            {
                Assert.Equal(expected[path], cache.GetOrCompute(path));
                if (worker == 0) cache.Remember(path, expected[path]);
            }
            if (worker % 2 == 1) cache.Save(file);
        });

        var hashedSoFar = cache.FilesHashed;
        Assert.InRange(hashedSoFar, paths.Count, paths.Count * 8);
        Assert.Equal(paths.Select(p => expected[p]), cache.ComputeMany(paths, 2));
        Assert.Equal(hashedSoFar, cache.FilesHashed);
        cache.Save(file);
        Assert.Equal(paths.Count, ChecksumCache.Load(file, ChecksumAlgorithm.XxHash128).Count);
    }

    [Fact]
    public void ComputeMany_returns_checksums_in_path_order_and_throws_the_first_error_itself()
    {
        var paths = Enumerable.Range(0, 50).Select(i => _temp.Write($"set/{i:D2}.txt", $"file {i}")).ToList();
        var cache = new ChecksumCache(ChecksumAlgorithm.Sha256);

        Assert.Equal(paths.Select(p => FileHasher.Compute(p, ChecksumAlgorithm.Sha256)), cache.ComputeMany(paths, 2));
        Assert.Equal(50, cache.FilesHashed);

        var missing = _temp.Combine("set", "absent.txt");
        var error = Assert.Throws<FileNotFoundException>(() => cache.ComputeMany([.. paths, missing], 2));
        Assert.Contains(missing, error.Message);
    }

    // .NET sets times in 100-ns ticks: a file that starts on a whole tick can have its mtime restored exactly.
    private static void SetWholeTickMtime(string path) => File.SetLastWriteTimeUtc(path, new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc));

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] ^= 0x40;
        return copy;
    }

    // On kernels without fine-grained timestamps, ctime advances with a clock tick of a few milliseconds.
    private static void WaitForNextTimestampTick() => Thread.Sleep(20);
}
