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
    /// An in-process stage's peak memory is the engine's since it started, never the stage's own; its CPU time is the
    /// engine's over the stage's run, the stage's own only when no other stage ran beside it.
    /// </summary>
    public static void MarkShared(ResourceUsage resources, bool overlapped)
    {
        resources.Shared = overlapped ? ["cpu", "peak_rss"] : ["peak_rss"];
    }
}
