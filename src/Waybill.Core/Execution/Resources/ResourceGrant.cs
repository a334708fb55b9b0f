using Waybill.Core.Pipeline.Controls;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// What the scheduler gave one stage while it runs: the threads and memory it asked for, and which GPUs are its own.
/// </summary>
/// <param name="MemoryBytes">The stage's <c>memory:</c>, also its limit where one can be set; null when it asked for none.</param>
/// <param name="GpuDevices">The devices no other stage has meanwhile, as CUDA_VISIBLE_DEVICES names them.</param>
public sealed record ResourceGrant(int Threads, long? MemoryBytes, IReadOnlyList<string> GpuDevices)
{
    /// <summary>
    /// True when the run hands out GPUs: every stage then gets CUDA_VISIBLE_DEVICES, an empty one when it asked for none,
    /// so a stage never uses a GPU given to another. False where something else hands them out (a scheduler running
    /// <c>exec-stage</c>): CUDA_VISIBLE_DEVICES is left as it is.
    /// </summary>
    public bool SetsVisibleGpus { get; init; }

    /// <summary>One thread, no memory, no GPUs.</summary>
    public static ResourceGrant Default { get; } = new(1, null, []);

    /// <summary>What a stage gets where no scheduler of this run counted it (<c>exec-stage</c>): its own requests, no GPU list.</summary>
    public static ResourceGrant Requested(StageControls controls) => new(controls.ThreadsOrDefault, controls.MemoryBytes, []);
}
