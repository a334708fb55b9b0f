using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Retention;

/// <summary>What clean may do with one recorded file.</summary>
internal abstract record PathVerdict
{
    /// <summary>Inside the job folder, through no link that leads out: <paramref name="FullPath"/> may be deleted.</summary>
    public sealed record Deletable(string FullPath, long Bytes, bool Missing) : PathVerdict;

    /// <summary>Recorded as outside the job folder (an external input, a shared model cache): never clean's to delete.</summary>
    public sealed record External(string Why) : PathVerdict;

    /// <summary>Claims to be inside the job folder but is not, or is not a file: refused, with the reason.</summary>
    public sealed record Refused(string Why) : PathVerdict;
}

/// <summary>
/// Clean deletes only files a manifest records inside the job folder. A path that leaves it — by "..", by an absolute
/// path, or by a symbolic link anywhere along the way — is refused, so a tampered or odd manifest can never make
/// clean delete something that is not the job's.
/// </summary>
internal static class JobPathGuard
{
    public static PathVerdict Check(JobLayout layout, string realRoot, FileRecord record)
    {
        if (record.Location != "job")
            return new PathVerdict.External("outside the job folder (location external): never deleted");
        var path = record.Path;
        if (Path.IsPathRooted(path) || path.Split('/', '\\').Any(part => part is ".." or "."))
            return new PathVerdict.Refused($"its recorded path \"{path}\" leaves the job folder; a manifest path inside the job is relative with no '..'");
        var full = layout.Resolve(path);
        if (!layout.IsInside(full) || full == layout.Root)
            return new PathVerdict.Refused($"its recorded path \"{path}\" resolves to {full}, outside the job folder");
        string real;
        try
        {
            real = RealPath.Of(full);
        }
        catch (IOException e)
        {
            return new PathVerdict.Refused($"it cannot be resolved: {e.Message}");
        }
        if (!real.StartsWith(realRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return new PathVerdict.Refused($"it resolves through a symbolic link to {real}, outside the job folder");
        var entry = new FileInfo(full);
        if (entry.LinkTarget is not null)
            return new PathVerdict.Deletable(full, 0, false); // a link to a file inside the job: removing the link frees nothing
        if (Directory.Exists(full))
            return new PathVerdict.Refused("it is a directory, not the file the manifest recorded; remove or move it by hand");
        return entry.Exists ? new PathVerdict.Deletable(full, entry.Length, false) : new PathVerdict.Deletable(full, 0, true);
    }
}
