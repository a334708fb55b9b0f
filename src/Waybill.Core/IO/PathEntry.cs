using System.Runtime.InteropServices;
using Waybill.Core.Hashing;

namespace Waybill.Core.IO;

/// <summary>
/// A path as the directory holds it, links not followed: what it is, and moving it whole with rename(2), so a link
/// moves as a link (never the file it points to) and a folder moves in one step.
/// </summary>
internal static partial class PathEntry
{
    private const int AtSymlinkNoFollow = 0x100;
    private const uint TypeOnly = 0x1;
    private const int ModeLink = 0xA000;
    private const int Exdev = 18;

    /// <summary>One statx call; a missing parent folder reads as missing.</summary>
    public static EntryKind KindOf(string path)
    {
        if (StatX.Stat(StatX.AtFdCwd, path, AtSymlinkNoFollow, TypeOnly, out var buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is StatX.Enoent or StatX.Enotdir) return EntryKind.Missing;
            throw new IOException($"cannot stat {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        return (buffer.Mode & StatX.ModeTypeMask) switch
        {
            StatX.ModeRegular => EntryKind.File,
            StatX.ModeDirectory => EntryKind.Directory,
            ModeLink => EntryKind.SymbolicLink,
            _ => EntryKind.Other,
        };
    }

    /// <summary>
    /// Moves <paramref name="from"/> to <paramref name="to"/>, replacing a file there. Inside one job folder this is a
    /// rename; across file systems a file is copied and deleted, which is all .NET offers.
    /// </summary>
    public static void Move(string from, string to)
    {
        if (Rename(from, to) == 0) return;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == Exdev && KindOf(from) == EntryKind.File)
        {
            File.Move(from, to, overwrite: true);
            return;
        }
        throw new IOException($"cannot move {from} to {to}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Removes whatever is at <paramref name="path"/>: a file, a link (not its target) or a folder with its content.</summary>
    public static void Remove(string path)
    {
        switch (KindOf(path))
        {
            case EntryKind.Missing:
                return;
            case EntryKind.Directory:
                Directory.Delete(path, recursive: true);
                return;
            default:
                File.Delete(path);
                return;
        }
    }

    /// <summary>
    /// Makes the folder <paramref name="path"/> with one mkdir(2) (mode 0777 less the umask, as Directory.CreateDirectory);
    /// true only when this call made it, so it is empty and no link. False for anything else (it exists, its parent is
    /// missing, no permission): the caller goes the long way, which reports what is wrong.
    /// </summary>
    public static bool TryMakeNewFolder(string path) => MakeDirectory(path, 0x1FF) == 0;

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeDirectory(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);
}
