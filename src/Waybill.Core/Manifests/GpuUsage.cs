namespace Waybill.Core.Manifests;

/// <summary>What a stage's GPU did, as measured; or, when nothing could be measured, why not.</summary>
public sealed class GpuUsage
{
    /// <summary>False when no figure could be taken (no GPU, no driver): <see cref="Reason"/> says why.</summary>
    public bool Available { get; set; }
    public string? Reason { get; set; }
    /// <summary>The device model (<c>NVIDIA H200</c>), as the driver names it.</summary>
    public string? Device { get; set; }
    public double? UtilizationPercentMean { get; set; }
    public double? UtilizationPercentMax { get; set; }
    public double? MemoryUsedMbPeak { get; set; }
    /// <summary>How the figures were taken (<c>nvidia-smi</c>).</summary>
    public string? MeasuredBy { get; set; }
}
