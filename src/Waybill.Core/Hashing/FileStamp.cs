using System.Runtime.InteropServices;

namespace Waybill.Core.Hashing;

/// <summary>What <see cref="FileStamp.TryRead(string, out FileStamp)"/> found at a path.</summary>
public enum FileStampStatus
{
    RegularFile,
    Missing,
    Directory,
    SymlinkLoop,
    NotRegularFile,
    AccessDenied,
    Failed,
}

/// <summary>
/// The identity of a file's content as the kernel reports it: size, mtime and ctime in nanoseconds, inode and
/// device. Any write changes mtime and ctime; chmod, rename-over and restoring an old mtime change ctime or the
/// inode, so equal stamps mean the content was not touched (within one timestamp tick; see ChecksumCache).
/// </summary>
public readonly record struct FileStamp(long Size, long MtimeNs, long CtimeNs, ulong Inode, ulong Device)
{
    public DateTime MtimeUtc => DateTime.UnixEpoch.AddTicks(MtimeNs / 100);

    /// <summary>Stats <paramref name="path"/>, following symbolic links; anything but a regular file is reported by its status.</summary>
    public static FileStampStatus TryRead(string path, out FileStamp stamp) => Query(StatX.AtFdCwd, path, 0, out stamp, out _);

    /// <summary>Stats an open file (no path lookup, so a rename meanwhile cannot swap the file).</summary>
    internal static FileStampStatus TryRead(int fd, out FileStamp stamp) => Query(fd, "", StatX.AtEmptyPath, out stamp, out _);

    /// <summary>The stamp of a regular file, or an exception whose message says what the path is instead.</summary>
    public static FileStamp Read(string path)
    {
        var status = Query(StatX.AtFdCwd, path, 0, out var stamp, out var errno);
        return status == FileStampStatus.RegularFile ? stamp : throw Problem(status, path, errno);
    }

    /// <summary>A clear error for a path that has no stamp: what it is, and that only regular files have checksums.</summary>
    public static Exception Problem(FileStampStatus status, string path, int errno = 0) => status switch
    {
        FileStampStatus.Missing => new FileNotFoundException($"{path} does not exist", path),
        FileStampStatus.Directory => new IOException($"{path} is a directory; only regular files have checksums"),
        FileStampStatus.SymlinkLoop => new IOException($"{path} is a symbolic link loop (too many levels of symbolic links); only regular files have checksums"),
        FileStampStatus.NotRegularFile => new IOException($"{path} is not a regular file but a FIFO, socket or device; only regular files have checksums"),
        FileStampStatus.AccessDenied => new UnauthorizedAccessException($"{path}: permission denied"),
        _ => new IOException($"{path}: {(errno == 0 ? "stat failed" : Marshal.GetPInvokeErrorMessage(errno))}"),
    };

    private static FileStampStatus Query(int dirFd, string path, int flags, out FileStamp stamp, out int errno)
    {
        stamp = default;
        errno = 0;
        if (StatX.Stat(dirFd, path, flags, StatX.BasicStats, out var buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                StatX.Enoent or StatX.Enotdir => FileStampStatus.Missing,
                StatX.Eloop => FileStampStatus.SymlinkLoop,
                StatX.Eacces => FileStampStatus.AccessDenied,
                _ => FileStampStatus.Failed,
            };
        }
        switch (buffer.Mode & StatX.ModeTypeMask)
        {
            case StatX.ModeDirectory:
                return FileStampStatus.Directory;
            case not StatX.ModeRegular:
                return FileStampStatus.NotRegularFile;
        }
        stamp = new FileStamp(
            (long)buffer.Size,
            (buffer.MtimeSeconds * 1_000_000_000L) + buffer.MtimeNanoseconds,
            (buffer.CtimeSeconds * 1_000_000_000L) + buffer.CtimeNanoseconds,
            buffer.Inode,
            ((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor);
        return FileStampStatus.RegularFile;
    }
}
