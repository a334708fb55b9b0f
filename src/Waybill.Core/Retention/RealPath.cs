namespace Waybill.Core.Retention;

/// <summary>A path with every symbolic link in it resolved, like realpath(3): where a delete would really land.</summary>
internal static class RealPath
{
    // The kernel gives up after 40 links (ELOOP); so does this.
    private const int MaxLinks = 40;

    public static string Of(string path) => Of(path, 0);

    /// <summary>
    /// Where <paramref name="path"/> really leads when that is outside <paramref name="root"/> (itself resolved, so a root
    /// that is a link is fine); null when it stays inside.
    /// </summary>
    /// <exception cref="IOException">A link loop or a link that cannot be read.</exception>
    public static string? OutsideOf(string path, string root)
    {
        var real = Of(path);
        return real.StartsWith(Of(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? null : real;
    }

    private static string Of(string path, int depth)
    {
        if (depth > MaxLinks) throw new IOException($"too many levels of symbolic links resolving {path}");
        var full = Path.GetFullPath(path);
        var current = Path.GetPathRoot(full)!;
        foreach (var part in full[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo entry = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (entry.LinkTarget is { } target)
                next = Of(Path.IsPathRooted(target) ? target : Path.Combine(current, target), depth + 1);
            current = next;
        }
        return current;
    }
}
