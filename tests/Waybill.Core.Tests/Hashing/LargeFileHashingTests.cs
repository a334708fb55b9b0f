using System.IO.Hashing;
using Waybill.Core.Execution;
using Waybill.Core.Hashing;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Checksums;

/// <summary>Hashing streams through a fixed buffer: a file of any size costs the same little memory.</summary>
public sealed class LargeFileHashingTests : IDisposable
{
    private const long TwoGiB = 2L << 30;
    private readonly TempFolder _temp = new();
    // On tmpfs a hole reads as the shared zero page; ext4 would first fill 2 GiB of page cache with zeros.
    private readonly string? _shm = Directory.Exists("/dev/shm")
        ? Directory.CreateDirectory(Path.Combine("/dev/shm", "waybill tests " + Guid.NewGuid().ToString("N")[..10])).FullName
        : null;

    public void Dispose()
    {
        if (_shm is not null) Directory.Delete(_shm, recursive: true);
        _temp.Dispose();
    }

    [Fact]
    public void A_2_GiB_sparse_file_is_hashed_with_bounded_memory()
    {
        var path = Path.Combine(_shm ?? _temp.Path, "sparse.bin");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.SetLength(TwoGiB);
            stream.Position = TwoGiB - 5;
            stream.Write("tail!"u8);
        }
        var small = _temp.Write("small.txt", "warm-up");
        var cache = new ChecksumCache(ChecksumAlgorithm.XxHash128);
        cache.GetOrCompute(small);

        // This thread's allocations only: other test classes run meanwhile. Reading the file into memory, or a
        // buffer per read, would allocate gigabytes; the buffer itself comes from a pool.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var checksum = cache.GetOrCompute(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(allocated, 0, 64 * 1024);
        Assert.Equal(ExpectedChecksum(), checksum);
    }

    /// <summary>XxHash128 of 2 GiB − 5 zero bytes and "tail!", fed from one zero buffer.</summary>
    private static string ExpectedChecksum()
    {
        var hash = new XxHash128();
        var zeros = new byte[1 << 20];
        long left = TwoGiB - 5;
        while (left > 0)
        {
            var count = (int)Math.Min(zeros.Length, left);
            hash.Append(zeros.AsSpan(0, count));
            left -= count;
        }
        hash.Append("tail!"u8);
        return "xxh128:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
