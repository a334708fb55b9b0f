using Waybill.Core.Integrity;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Integrity;

/// <summary>What verify finds at a recorded path, told apart without an exception escaping.</summary>
public sealed class FileProbeTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_regular_file_gives_its_length_and_time()
    {
        var path = _temp.Write("a.txt", "hello");
        var probe = FileProbe.Probe(path);
        Assert.Equal(ProbedKind.RegularFile, probe.Kind);
        Assert.Equal(5, probe.Length);
        Assert.Equal(File.GetLastWriteTimeUtc(path), probe.LastWriteUtc);
    }

    [Fact]
    public void A_link_to_a_file_is_followed()
    {
        var target = _temp.Write("target.txt", "0123456789");
        var link = _temp.Combine("link.txt");
        File.CreateSymbolicLink(link, target);
        var probe = FileProbe.Probe(link);
        Assert.Equal(ProbedKind.RegularFile, probe.Kind);
        Assert.Equal(10, probe.Length);
    }

    [Fact]
    public void Missing_directory_dangling_link_and_loop_are_told_apart()
    {
        Assert.Equal(ProbedKind.Missing, FileProbe.Probe(_temp.Combine("nothing")).Kind);
        Directory.CreateDirectory(_temp.Combine("dir"));
        Assert.Equal(ProbedKind.Directory, FileProbe.Probe(_temp.Combine("dir")).Kind);
        var dangling = _temp.Combine("dangling");
        File.CreateSymbolicLink(dangling, _temp.Combine("gone"));
        var danglingProbe = FileProbe.Probe(dangling);
        Assert.Equal(ProbedKind.DanglingLink, danglingProbe.Kind);
        Assert.Equal(_temp.Combine("gone"), danglingProbe.Detail);
        var loop = _temp.Combine("loop");
        File.CreateSymbolicLink(loop, loop);
        Assert.Equal(ProbedKind.SymlinkLoop, FileProbe.Probe(loop).Kind);
        var toDir = _temp.Combine("to-dir");
        File.CreateSymbolicLink(toDir, _temp.Combine("dir"));
        Assert.Equal(ProbedKind.Directory, FileProbe.Probe(toDir).Kind);
    }
}
