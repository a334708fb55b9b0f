using Waybill.Core.Manifests;

namespace Waybill.Core.Execution.Resources;

/// <summary>Where a stage's figures come from when the process's own are not the whole story: a cgroup, or a shared engine.</summary>
internal static class StageResources
{
    /// <summary>The figures a cgroup v2 of the stage's own counted replace those of wait4, which miss what was not waited for.</summary>
    public static void FromCgroup(CgroupFigures cgroup, ref TimeSpan user, ref TimeSpan system, ref long peak, ref long? read, ref long? write,
        ResourceUsage resources)
    {
        if (cgroup.UserMicroseconds is { } u && cgroup.SystemMicroseconds is { } s)
        {
            user = TimeSpan.FromMicroseconds(u);
            system = TimeSpan.FromMicroseconds(s);
        }
        if (cgroup.PeakBytes is { } cgroupPeak)
        {
            peak = cgroupPeak;
            resources.PeakRssUpperBound = null;
        }
        if (cgroup.ReadBytes is { } r) read = r;
        if (cgroup.WriteBytes is { } w) write = w;
        resources.MeasuredBy = "cgroup";
    }

    /// <summary>
    /// The cgroup figures of a stage run that took several tries: each try ran in a cgroup of its own, so CPU time and
    /// I/O are the sums over the tries and the peak is the highest. Null when any try that ran processes has no cgroup
    /// figures: its processes are then counted only by wait4, and mixing the two would drop or double count them.
    /// </summary>
    public static CgroupFigures? AcrossTries(IReadOnlyList<(CgroupFigures? Figures, bool RanProcesses)> tries)
    {
        if (tries.Any(t => t.Figures is null && t.RanProcesses)) return null;
        var counted = tries.Where(t => t.Figures is not null).Select(t => t.Figures!).ToList();
        if (counted.Count <= 1) return counted.FirstOrDefault();
        return new CgroupFigures(
            SumOrNull(counted, c => c.UserMicroseconds),
            SumOrNull(counted, c => c.SystemMicroseconds),
            counted.All(c => c.PeakBytes is not null) ? counted.Max(c => c.PeakBytes) : null,
            SumOrNull(counted, c => c.ReadBytes),
            SumOrNull(counted, c => c.WriteBytes));
    }

    /// <summary>A sum only when every try gave the figure: a partial sum would pass for the whole.</summary>
    private static long? SumOrNull(List<CgroupFigures> tries, Func<CgroupFigures, long?> figure) =>
        tries.All(t => figure(t) is not null) ? tries.Sum(t => figure(t)!.Value) : null;

    /// <summary>
    /// An in-process stage's peak memory is the engine's since it started, never the stage's own; its CPU time is the
    /// engine's over the stage's run, the stage's own only when no other stage ran beside it.
    /// </summary>
    public static void MarkShared(ResourceUsage resources, bool overlapped)
    {
        resources.Shared = overlapped ? ["cpu", "peak_rss"] : ["peak_rss"];
    }
}
