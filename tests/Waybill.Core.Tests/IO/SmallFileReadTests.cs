using Waybill.Core.IO;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.IO;

/// <summary>
/// The four-call read of a stage manifest: whole files of any size, "missing" only where <c>File.Exists</c> would say
/// so, and anything else (a folder in the file's place, a path through a file) left to the ordinary read.
/// </summary>
public sealed class SmallFileReadTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1_524)]
    [InlineData(8_192)]
    [InlineData(100_003)]
    public void A_file_is_read_whole_whatever_its_size(int size)
    {
        var path = _temp.Combine("manifest.json");
        var content = Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(path, content);

        Assert.True(SmallFileRead.TryRead(path, 1 << 20, out var pooled, out var missing));
        using var bytes = pooled;
        Assert.False(missing);
        Assert.Equal(content, bytes.Span.ToArray());
    }

    [Fact]
    public void No_file_is_missing()
    {
        Assert.False(SmallFileRead.TryRead(_temp.Combine("none.json"), 1 << 20, out var bytes, out var missing));
        Assert.True(missing);
        Assert.True(bytes.Span.IsEmpty);
    }

    [Fact]
    public void A_folder_in_the_files_place_or_a_path_through_a_file_is_left_to_the_ordinary_read()
    {
        var folder = _temp.Combine("manifest.json");
        Directory.CreateDirectory(folder);
        Assert.False(SmallFileRead.TryRead(folder, 1 << 20, out _, out var missing));
        Assert.False(missing);
        Assert.False(File.Exists(folder));

        var file = _temp.Combine("plain.txt");
        File.WriteAllText(file, "x");
        var through = Path.Combine(file, "manifest.json");
        Assert.False(SmallFileRead.TryRead(through, 1 << 20, out _, out missing));
        Assert.False(missing);
        Assert.False(File.Exists(through));
    }

    [Fact]
    public void A_file_that_never_ends_is_left_to_the_ordinary_read_once_past_the_bound()
    {
        var endless = _temp.Combine("manifest.json");
        File.CreateSymbolicLink(endless, "/dev/zero");
        Assert.False(SmallFileRead.TryRead(endless, 1 << 20, out var bytes, out var missing));
        Assert.False(missing);
        Assert.True(bytes.Span.IsEmpty);
    }
}
