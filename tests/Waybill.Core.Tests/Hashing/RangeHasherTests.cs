using Waybill.Core.Hashing;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Checksums;

/// <summary>The checksum of a byte range of a file equals the checksum of a file holding only those bytes.</summary>
public sealed class RangeHasherTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(ChecksumAlgorithm.XxHash128, 0, 0)]
    [InlineData(ChecksumAlgorithm.XxHash128, 0, 1000)]
    [InlineData(ChecksumAlgorithm.XxHash128, 0, 200_000)]
    [InlineData(ChecksumAlgorithm.Sha256, 0, 70_000)]
    [InlineData(ChecksumAlgorithm.XxHash128, 65_535, 100_001)]
    [InlineData(ChecksumAlgorithm.Sha256, 299_999, 1)]
    public void A_range_hashes_like_a_file_of_just_those_bytes(ChecksumAlgorithm algorithm, int offset, int length)
    {
        var bytes = new byte[300_000];
        new Random(7).NextBytes(bytes);
        var whole = _temp.Combine("whole.bin");
        File.WriteAllBytes(whole, bytes);
        var part = _temp.Combine("part.bin");
        File.WriteAllBytes(part, bytes[offset..(offset + length)]);
        Assert.Equal(FileHasher.Compute(part, algorithm), RangeHasher.Compute(whole, algorithm, offset, length));
    }

    [Fact]
    public void A_range_past_the_end_of_the_file_stops_at_its_end()
    {
        var path = _temp.Write("short.txt", "short");
        Assert.Equal(FileHasher.Compute(path, ChecksumAlgorithm.XxHash128), RangeHasher.Compute(path, ChecksumAlgorithm.XxHash128, 0, 1000));
        var tail = _temp.Write("tail.txt", "ort");
        Assert.Equal(FileHasher.Compute(tail, ChecksumAlgorithm.XxHash128), RangeHasher.Compute(path, ChecksumAlgorithm.XxHash128, 2, 1000));
    }
}
