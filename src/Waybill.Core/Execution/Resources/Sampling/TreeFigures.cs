namespace Waybill.Core.Execution.Resources.Sampling;

/// <summary>
/// One stage's process tree at one moment, summed over its processes: CPU time (each process's own and that of the
/// children it waited for, in clock ticks), resident memory, and storage I/O (each process's count holds its waited-for
/// children too). A process that exited and was not waited for by a member of the tree drops out of the sums.
/// </summary>
internal readonly record struct TreeFigures(long CpuTicks, long RssBytes, long? ReadBytes, long? WriteBytes)
{
    public static readonly TreeFigures Empty = new(0, 0, null, null);
}
