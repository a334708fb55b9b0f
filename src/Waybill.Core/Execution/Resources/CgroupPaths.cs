using System.Text;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// Where this process's cgroups are in the file system: its cgroup v2 folder, and on a cgroup v1 machine its memory
/// controller's folder. Read from <c>/proc/self/mountinfo</c> and <c>/proc/self/cgroup</c>; null where there is none.
/// </summary>
internal static class CgroupPaths
{
    private static readonly Lazy<(string? V2, string? V1Memory)> s_own = new(() =>
    {
        try
        {
            var mountinfo = File.ReadAllText("/proc/self/mountinfo");
            var cgroup = File.ReadAllText("/proc/self/cgroup");
            return (V2Directory(mountinfo, cgroup), V1MemoryDirectory(mountinfo, cgroup));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }
    });

    /// <summary>This process's cgroup v2 folder (e.g. <c>/sys/fs/cgroup/user.slice/…</c>).</summary>
    public static string? OwnV2 => s_own.Value.V2;

    /// <summary>This process's cgroup v1 memory folder (e.g. <c>/sys/fs/cgroup/memory/docker/…</c>).</summary>
    public static string? OwnV1Memory => s_own.Value.V1Memory;

    public static string? V2Directory(string mountinfo, string cgroup) =>
        Resolve(Mounts(mountinfo).FirstOrDefault(m => m.Type == "cgroup2"), Path(cgroup, c => c.Hierarchy == "0" && c.Controllers.Length == 0));

    public static string? V1MemoryDirectory(string mountinfo, string cgroup) =>
        Resolve(Mounts(mountinfo).FirstOrDefault(m => m.Type == "cgroup" && m.SuperOptions.Split(',').Contains("memory")),
            Path(cgroup, c => c.Controllers.Split(',').Contains("memory")));

    /// <summary>The folder of cgroup <paramref name="path"/> under a mount of its hierarchy whose root is <c>Root</c>.</summary>
    private static string? Resolve(Mount? mount, string? path)
    {
        if (mount is not { } m || path is null) return null;
        string relative;
        if (m.Root == "/") relative = path;
        else if (path == m.Root || path.StartsWith(m.Root + "/", StringComparison.Ordinal)) relative = path[m.Root.Length..];
        else return null;
        return System.IO.Path.Join(m.Point, relative.TrimStart('/')).TrimEnd('/') is { Length: > 0 } joined ? joined : "/";
    }

    private static string? Path(string cgroup, Func<(string Hierarchy, string Controllers), bool> match)
    {
        foreach (var line in cgroup.Split('\n'))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && match((parts[0], parts[1]))) return parts[2].Trim();
        }
        return null;
    }

    /// <summary>mountinfo: <c>id parent dev root point options [optional…] - type source superoptions</c>.</summary>
    private static IEnumerable<Mount> Mounts(string mountinfo)
    {
        foreach (var line in mountinfo.Split('\n'))
        {
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            if (fields.Length < 6 || dash < 6 || fields.Length < dash + 4) continue;
            yield return new Mount(Unescape(fields[3]), Unescape(fields[4]), fields[dash + 1], fields[dash + 3]);
        }
    }

    private sealed record Mount(string Root, string Point, string Type, string SuperOptions);

    /// <summary>mountinfo writes a space, tab, newline or backslash in a path as <c>\040</c> and so on.</summary>
    private static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal)) return text;
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 3 < text.Length && text.AsSpan(i + 1, 3).IndexOfAnyExceptInRange('0', '7') < 0)
            {
                result.Append((char)Convert.ToInt32(text.Substring(i + 1, 3), 8));
                i += 3;
            }
            else result.Append(text[i]);
        }
        return result.ToString();
    }
}
