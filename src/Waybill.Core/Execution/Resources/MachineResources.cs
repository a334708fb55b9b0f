using System.Globalization;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// This machine's resources, as a run uses them by default: the cores .NET may use (<see cref="Environment.ProcessorCount"/>,
/// which honours CPU affinity and a cgroup CPU quota), MemTotal from <c>/proc/meminfo</c> or the cgroup memory limit
/// when lower, and the GPUs <see cref="GpuDetection"/> finds.
/// </summary>
public static class MachineResources
{
    private static readonly Lazy<RunResources> s_current = new(Detect);

    /// <summary>Detected once per process.</summary>
    public static RunResources Current => s_current.Value;

    private static RunResources Detect() =>
        new(Environment.ProcessorCount, MemoryBytes(), GpuDetection.Detect());

    private static long MemoryBytes()
    {
        var total = MemTotal(Read("/proc/meminfo")) ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (CgroupPaths.OwnV2 is { } v2 && CgroupLimit(v2, "memory.max") is { } v2Limit) total = Math.Min(total, v2Limit);
        if (CgroupPaths.OwnV1Memory is { } v1 && CgroupLimit(v1, "memory.limit_in_bytes") is { } v1Limit) total = Math.Min(total, v1Limit);
        return total;
    }

    /// <summary>The <c>MemTotal:</c> line of /proc/meminfo, in bytes.</summary>
    internal static long? MemTotal(string? meminfo)
    {
        foreach (var line in (meminfo ?? "").Split('\n'))
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
            var number = line["MemTotal:".Length..].Trim().Split(' ')[0];
            return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib * 1024 : null;
        }
        return null;
    }

    /// <summary>
    /// The lowest limit in <paramref name="file"/> from the cgroup folder up to the hierarchy's root: a parent's limit binds its
    /// children. "max" (v2) and v1's near-2^63 "unlimited" count as none.
    /// </summary>
    internal static long? CgroupLimit(string directory, string file)
    {
        long? lowest = null;
        for (var dir = directory; !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            var text = Read(Path.Combine(dir, file));
            if (text is null) break;
            if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit < long.MaxValue / 4)
                lowest = Math.Min(lowest ?? long.MaxValue, limit);
        }
        return lowest;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
