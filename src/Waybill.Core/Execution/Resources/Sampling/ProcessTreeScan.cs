using Waybill.Core.Processes;

namespace Waybill.Core.Execution.Resources.Sampling;

/// <summary>
/// Reads the process trees of several stages in one pass over /proc. A stage's tree is every process in the process
/// groups of the commands it started (each command leads a group of its own), and every descendant of those that moved
/// to another group. Only the pids handed out since the oldest root are read (see <see cref="ProcessGroup"/>).
/// </summary>
internal static class ProcessTreeScan
{
    /// <summary>Figures per set of roots, in the order given.</summary>
    public static TreeFigures[] Read(IReadOnlyList<IReadOnlyCollection<int>> rootsPerTree)
    {
        var result = new TreeFigures[rootsPerTree.Count];
        var owner = new Dictionary<int, int>();
        for (var tree = 0; tree < rootsPerTree.Count; tree++)
        {
            foreach (var root in rootsPerTree[tree]) owner[root] = tree;
        }
        Span<byte> buffer = stackalloc byte[1024];
        var page = Environment.SystemPageSize;
        // In the order they were handed out: a parent is seen before the children it started.
        foreach (var pid in ProcessGroup.PidsSince(owner.Keys))
        {
            if (ProcStat.Read(pid, buffer) is not { } stat) continue;
            var known = owner.TryGetValue(pid, out var tree) || owner.TryGetValue(stat.ProcessGroup, out tree)
                || owner.TryGetValue(stat.ParentPid, out tree);
            if (!known) continue;
            owner.TryAdd(pid, tree);
            var sum = result[tree];
            var io = ProcIo.Read(pid, buffer);
            result[tree] = new TreeFigures(
                sum.CpuTicks + stat.OwnTicks + stat.ChildrenTicks,
                sum.RssBytes + (stat.RssPages * page),
                io is { } a ? (sum.ReadBytes ?? 0) + a.Read : sum.ReadBytes,
                io is { } b ? (sum.WriteBytes ?? 0) + b.Write : sum.WriteBytes);
        }
        return result;
    }
}
