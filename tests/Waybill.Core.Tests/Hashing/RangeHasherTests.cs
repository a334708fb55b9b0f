using Waybill.Core.Hashing;
using Waybill.Core.Integrity;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Integrity;

/// <summary>The checksum of a file's first bytes equals the checksum of a file holding only those bytes.</summary>
public sealed class PrefixHasherTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(ChecksumAlgorithm.XxHash128, 0)]
    [InlineData(ChecksumAlgorithm.XxHash128, 1000)]
    [InlineData(ChecksumAlgorithm.XxHash128, 200_000)]
    [InlineData(ChecksumAlgorithm.Sha256, 70_000)]
    public void A_prefix_hashes_like_a_file_of_just_that_prefix(ChecksumAlgorithm algorithm, int length)
    {
        var bytes = new byte[300_000];
        new Random(7).NextBytes(bytes);
        var whole = _temp.Combine("whole.bin");
        File.WriteAllBytes(whole, bytes);
        var prefix = _temp.Combine("prefix.bin");
        File.WriteAllBytes(prefix, bytes[..length]);
        Assert.Equal(FileHasher.Compute(prefix, algorithm), PrefixHasher.Compute(whole, algorithm, length));
    }

    [Fact]
    public void A_prefix_longer_than_the_file_is_the_whole_file()
    {
        var path = _temp.Write("short.txt", "short");
        Assert.Equal(FileHasher.Compute(path, ChecksumAlgorithm.XxHash128), PrefixHasher.Compute(path, ChecksumAlgorithm.XxHash128, 1000));
    }
}
