using System.Runtime.InteropServices;

namespace Waybill.Core.Hashing;

/// <summary>
/// Linux <c>statx(2)</c> through glibc: .NET's <see cref="FileInfo"/> has no inode, device or ctime, and only
/// 100-ns mtimes, which a stat cache needs to tell a rewritten file from an untouched one.
/// </summary>
internal static partial class StatX
{
    public const int AtFdCwd = -100;
    public const int AtEmptyPath = 0x1000;
    public const uint BasicStats = 0x7ff;

    public const int ModeTypeMask = 0xF000;
    public const int ModeRegular = 0x8000;
    public const int ModeDirectory = 0x4000;

    public const int Enoent = 2;
    public const int Eacces = 13;
    public const int Enotdir = 20;
    public const int Eloop = 40;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Stat(int dirFd, string path, int flags, uint mask, out Buffer buffer);

    /// <summary>struct statx (linux/stat.h), 256 bytes; only the fields the cache reads are named.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Buffer
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public long CtimeSeconds;
        [FieldOffset(104)] public uint CtimeNanoseconds;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
    }
}
