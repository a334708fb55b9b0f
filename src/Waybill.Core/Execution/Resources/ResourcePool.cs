using Waybill.Core.Pipeline.Controls;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// The part of a run's <see cref="RunResources"/> that no running stage holds. GPUs are handed out as whole devices,
/// lowest first, so two stages never share one. Used by the scheduler's loop only: not thread-safe.
/// </summary>
internal sealed class ResourcePool(RunResources total)
{
    private readonly List<string> _freeGpus = [.. total.GpuDevices];
    private int _freeCores = total.Cores;
    private long _freeMemory = total.MemoryBytes;

    public RunResources Total { get; } = total;

    /// <summary>False when every core is taken: no stage can start, as each asks for at least one thread.</summary>
    public bool AnyCoreFree => _freeCores > 0;

    /// <summary>The stage's share, taken from what is free; null when it does not fit now.</summary>
    public ResourceGrant? TryTake(StageControls controls)
    {
        var threads = controls.ThreadsOrDefault;
        var memory = controls.MemoryBytes ?? 0;
        var gpus = controls.Gpus ?? 0;
        if (threads > _freeCores || memory > _freeMemory || gpus > _freeGpus.Count) return null;
        _freeCores -= threads;
        _freeMemory -= memory;
        var devices = _freeGpus.GetRange(0, gpus);
        _freeGpus.RemoveRange(0, gpus);
        return new ResourceGrant(threads, controls.MemoryBytes, devices) { SetsVisibleGpus = Total.Gpus > 0 };
    }

    /// <summary>Gives a finished stage's share back.</summary>
    public void Release(ResourceGrant grant)
    {
        _freeCores += grant.Threads;
        _freeMemory += grant.MemoryBytes ?? 0;
        if (grant.GpuDevices.Count == 0) return;
        _freeGpus.AddRange(grant.GpuDevices);
        // Back in the machine's order, so the next stage again gets the lowest free device.
        _freeGpus.Sort((a, b) => IndexOf(a).CompareTo(IndexOf(b)));
    }

    private int IndexOf(string device)
    {
        for (var i = 0; i < Total.GpuDevices.Count; i++)
            if (Total.GpuDevices[i] == device) return i;
        return int.MaxValue;
    }
}
