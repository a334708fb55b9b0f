using System.Diagnostics;
using Waybill.Core.Hashing;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Checksums;

/// <summary>statx through FileStamp: the fields a stat cache validates by, and what a path is when it is not a regular file.</summary>
public sealed class FileStampTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_regular_file_reports_size_nanosecond_mtime_inode_and_device()
    {
        var path = _temp.Write("data.txt", "hello stamp");
        var mtime = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddTicks(1234567);
        File.SetLastWriteTimeUtc(path, mtime);

        Assert.Equal(FileStampStatus.RegularFile, FileStamp.TryRead(path, out var stamp));
        Assert.Equal(11, stamp.Size);
        Assert.Equal(mtime, stamp.MtimeUtc);
        Assert.Equal(mtime.Ticks - DateTime.UnixEpoch.Ticks, stamp.MtimeNs / 100);
        Assert.Equal(0, stamp.MtimeNs % 100);
        Assert.Equal(ulong.Parse(Stat("%i", path), System.Globalization.CultureInfo.InvariantCulture), stamp.Inode);
        // ctime is when the inode last changed: setting the mtime just now did that.
        Assert.InRange(DateTime.UnixEpoch.AddTicks(stamp.CtimeNs / 100), DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        Assert.NotEqual(0UL, stamp.Device);
    }

    [Fact]
    public void Replacing_a_file_by_rename_changes_the_inode_even_with_the_same_size_and_mtime()
    {
        var path = _temp.Write("data.txt", "first");
        // .NET sets times in 100-ns ticks: start from a whole tick so the mtime can be restored exactly.
        File.SetLastWriteTimeUtc(path, new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        var before = FileStamp.Read(path);
        var replacement = _temp.Write("next.txt", "other");
        File.SetLastWriteTimeUtc(replacement, before.MtimeUtc);
        File.Move(replacement, path, overwrite: true);

        var after = FileStamp.Read(path);
        Assert.Equal(before.Size, after.Size);
        Assert.Equal(before.MtimeNs, after.MtimeNs);
        Assert.NotEqual(before.Inode, after.Inode);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void A_symbolic_link_to_a_file_is_followed()
    {
        var target = _temp.Write("target.txt", "through a link");
        var link = _temp.Combine("link.txt");
        File.CreateSymbolicLink(link, target);

        Assert.Equal(FileStampStatus.RegularFile, FileStamp.TryRead(link, out var stamp));
        Assert.Equal(FileStamp.Read(target), stamp);
    }

    [Fact]
    public void Missing_directory_loop_and_fifo_are_each_reported_by_name()
    {
        var loopA = _temp.Combine("loop-a");
        var loopB = _temp.Combine("loop-b");
        File.CreateSymbolicLink(loopA, loopB);
        File.CreateSymbolicLink(loopB, loopA);
        var fifo = _temp.Combine("pipe");
        Run("mkfifo", fifo);

        Assert.Equal(FileStampStatus.Missing, FileStamp.TryRead(_temp.Combine("absent.txt"), out _));
        Assert.Equal(FileStampStatus.Missing, FileStamp.TryRead(_temp.Combine("absent", "deeper.txt"), out _));
        Assert.Equal(FileStampStatus.Directory, FileStamp.TryRead(_temp.Path, out _));
        Assert.Equal(FileStampStatus.SymlinkLoop, FileStamp.TryRead(loopA, out _));
        Assert.Equal(FileStampStatus.NotRegularFile, FileStamp.TryRead(fifo, out _));

        Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => FileStamp.Read(_temp.Combine("absent.txt"))).Message);
        Assert.Contains("is a directory", Assert.Throws<IOException>(() => FileStamp.Read(_temp.Path)).Message);
        var loop = Assert.Throws<IOException>(() => FileStamp.Read(loopA));
        Assert.Contains("symbolic link loop", loop.Message);
        Assert.Contains(loopA, loop.Message);
        Assert.Contains("not a regular file", Assert.Throws<IOException>(() => FileStamp.Read(fifo)).Message);
    }

    private static string Stat(string format, string path) => Run("stat", "-c", format, path).Trim();

    private static string Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
