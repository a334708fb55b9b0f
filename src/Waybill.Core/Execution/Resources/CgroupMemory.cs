using System.Globalization;
using Waybill.Core.Processes;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// A cgroup v2 of one command's own, with <c>memory.max</c> set: the kernel then holds the command and everything it
/// starts to that much resident memory and stops it when it needs more (<c>memory.events</c> counts an <c>oom_kill</c>).
/// Made under this process's own cgroup, where cgroup v2 lets it: the memory controller is available there and on in its
/// <c>cgroup.subtree_control</c> (or can be turned on), and its <c>cgroup.procs</c> is writable, since the command moves
/// itself in. Elsewhere (cgroup v1, a cgroup not delegated to this user) there is none, and RLIMIT_AS is used instead.
/// </summary>
internal sealed class CgroupMemory : IDisposable
{
    private static readonly Lazy<(string? Parent, string? WhyNot)> s_parent = new(() => Usable(CgroupPaths.OwnV2));

    private CgroupMemory(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>The file a process writes its pid into to enter the cgroup.</summary>
    public string ProcsFile => Path.Combine(Directory, "cgroup.procs");

    /// <summary>A new cgroup named <paramref name="name"/> limited to <paramref name="bytes"/>; null where none can be made.</summary>
    /// <param name="whyNot">Why there is none, in words for the manifest's <c>cgroup_unavailable</c>; null when one was made.</param>
    public static CgroupMemory? TryCreate(string name, long bytes, out string? whyNot)
    {
        var made = TryCreate(s_parent.Value.Parent, name, bytes, out whyNot);
        if (made is null) whyNot ??= s_parent.Value.WhyNot;
        return made;
    }

    internal static CgroupMemory? TryCreate(string? parent, string name, long bytes) => TryCreate(parent, name, bytes, out _);

    private static CgroupMemory? TryCreate(string? parent, string name, long bytes, out string? whyNot)
    {
        whyNot = null;
        if (parent is null) return null;
        var directory = Path.Combine(parent, name);
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "memory.max"), bytes.ToString(CultureInfo.InvariantCulture));
            // Memory means memory: a command over its limit stops rather than going on in swap.
            var swap = Path.Combine(directory, "memory.swap.max");
            if (File.Exists(swap)) File.WriteAllText(swap, "0");
            return new CgroupMemory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Remove(directory);
            whyNot = $"the cgroup {directory} could not be made: {e.Message}";
            return null;
        }
    }

    /// <summary>The folder under which commands get cgroups of their own, or null where cgroup v2 does not allow it.</summary>
    internal static string? UsableParent(string? own) => Usable(own).Parent;

    /// <summary>The folder under which commands get cgroups of their own, or why cgroup v2 does not allow one here.</summary>
    internal static (string? Parent, string? WhyNot) Usable(string? own)
    {
        if (own is null) return (null, "no cgroup v2 here: this process is in no cgroup2 hierarchy (cgroup v1, or none mounted)");
        try
        {
            if (!Words(Path.Combine(own, "cgroup.controllers")).Contains("memory"))
                return (null, $"the memory controller is not available in the cgroup v2 {own} (its cgroup.controllers)");
            var subtree = Path.Combine(own, "cgroup.subtree_control");
            // Only possible where no process sits in the cgroup itself (the root of a hierarchy or a delegated one).
            if (!Words(subtree).Contains("memory")) File.WriteAllText(subtree, "+memory");
            if (!Words(subtree).Contains("memory")) return (null, $"the memory controller cannot be turned on below {own}");
            return LibC.Access(Path.Combine(own, "cgroup.procs"), LibC.WOk) == 0
                ? (own, null)
                : (null, $"{own}/cgroup.procs cannot be written by this user: the cgroup is not delegated to it");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"the cgroup v2 {own} cannot be used: {e.Message}");
        }
    }

    /// <summary>How many times the kernel's OOM killer stopped a process in this cgroup.</summary>
    public long OomKills() => Field(Read("memory.events"), "oom_kill") ?? 0;

    /// <summary>The most memory the cgroup held (<c>memory.peak</c>, Linux 5.19 and later); null where the kernel does not say.</summary>
    public long? PeakBytes() => CgroupFigures.ParsePeak(Read("memory.peak"));

    /// <summary>
    /// Ends what the command left running in the cgroup (<c>cgroup.kill</c>, Linux 5.14 and later) and removes it. A cgroup
    /// whose last processes are still exiting cannot be removed yet and is left, empty, behind.
    /// </summary>
    public void Dispose()
    {
        try
        {
            var kill = Path.Combine(Directory, "cgroup.kill");
            if (File.Exists(kill) && Field(Read("cgroup.events"), "populated") is > 0) File.WriteAllText(kill, "1");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Removing it below fails then too; nothing else is lost.
        }
        Remove(Directory);
    }

    internal static long? Field(string? text, string name)
    {
        foreach (var line in (text ?? "").Split('\n'))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0] == name && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                return value;
        }
        return null;
    }

    private string? Read(string file)
    {
        try
        {
            var path = Path.Combine(Directory, file);
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[] Words(string path) =>
        File.Exists(path) ? File.ReadAllText(path).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) : [];

    private static void Remove(string directory)
    {
        try
        {
            // rmdir: a cgroup's folder goes with its interface files in it, and only when no process is left.
            System.IO.Directory.Delete(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind; see Dispose.
        }
    }
}
