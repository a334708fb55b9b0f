using System.Globalization;
using System.Text;

namespace Waybill.Core.IO;

/// <summary>
/// Tells the file-system errors a person must act on (a full disk, a read-only mount) from the rest, and names the
/// file system concerned by its mount point, so a message says where space must be freed, not only which file failed.
/// </summary>
public static class FileSystemErrors
{
    // Linux errno values; .NET carries the errno of an unmapped error in IOException.HResult.
    private const int NoSpace = 28;
    private const int ReadOnlyFs = 30;
    private const int QuotaExceeded = 122;

    /// <summary>ENOSPC or EDQUOT anywhere in the exception chain.</summary>
    public static bool IsDiskFull(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is IOException && e.HResult is NoSpace or QuotaExceeded) return true;
            // Preallocation (FileStream's preallocationSize) says it in its own words.
            if (IsDiskFullText(e.Message) || e.Message.Contains("because the disk was full", StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>The words the C library uses for ENOSPC and EDQUOT, as a failed command prints them.</summary>
    public static bool IsDiskFullText(string? text) =>
        text is not null
        && (text.Contains("No space left on device", StringComparison.Ordinal) || text.Contains("Disk quota exceeded", StringComparison.Ordinal));

    /// <summary>EROFS anywhere in the exception chain.</summary>
    public static bool IsReadOnly(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e.HResult == ReadOnlyFs || e.Message.Contains("Read-only file system", StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>"no space left on /mnt/data (ext4, 12 KiB free of 2.0 GiB)": the file system holding <paramref name="path"/>.</summary>
    public static string NoSpaceOn(string path) => "no space left on " + Describe(path);

    /// <summary>The mount point holding <paramref name="path"/>, with its type and free space when they can be read.</summary>
    public static string Describe(string path)
    {
        var (mountPoint, type) = MountOf(path);
        if (mountPoint is null) return path;
        try
        {
            var drive = new DriveInfo(mountPoint);
            return string.Create(CultureInfo.InvariantCulture,
                $"{mountPoint} ({type}, {Size(drive.AvailableFreeSpace)} free of {Size(drive.TotalSize)})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return $"{mountPoint} ({type})";
        }
    }

    /// <summary>The deepest mount point above <paramref name="path"/> and its file-system type, from /proc/self/mountinfo.</summary>
    public static (string? MountPoint, string? Type) MountOf(string path)
    {
        var full = Path.GetFullPath(path);
        string? best = null, bestType = null;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            {
                // "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw": field 5 is the mount point,
                // the first field after " - " the type.
                var fields = line.Split(' ');
                var separator = Array.IndexOf(fields, "-");
                if (fields.Length < 5 || separator < 0 || separator + 1 >= fields.Length) continue;
                var mountPoint = Unescape(fields[4]);
                var inside = mountPoint == "/" || full == mountPoint || full.StartsWith(mountPoint + "/", StringComparison.Ordinal);
                if (inside && (best is null || mountPoint.Length >= best.Length)) (best, bestType) = (mountPoint, fields[separator + 1]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }
        return (best, bestType);
    }

    /// <summary>mountinfo writes a space, tab, newline and backslash as \040, \011, \012 and \134.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal)) return field;
        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length
                && int.TryParse(field.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var octal))
            {
                text.Append((char)Convert.ToInt32(octal.ToString(CultureInfo.InvariantCulture), 8));
                i += 3;
            }
            else text.Append(field[i]);
        }
        return text.ToString();
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.#} GiB"),
    };
}
