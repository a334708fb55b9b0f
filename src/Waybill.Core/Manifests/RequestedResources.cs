namespace Waybill.Core.Manifests;

/// <summary>What a stage asked the scheduler for: its <c>threads</c>, <c>memory</c> and <c>gpus</c>.</summary>
public sealed class RequestedResources
{
    public int Threads { get; set; } = 1;
    /// <summary>Absent when the stage asked for no memory.</summary>
    public long? MemoryBytes { get; set; }
    public int Gpus { get; set; }
}
