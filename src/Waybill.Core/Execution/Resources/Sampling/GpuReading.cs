namespace Waybill.Core.Execution.Resources.Sampling;

/// <summary>
/// One device at one moment, as <c>nvidia-smi --query-gpu</c> reports it. A figure the driver does not give
/// (<c>[N/A]</c>, <c>[Not Supported]</c>) is null, never 0.
/// </summary>
internal sealed record GpuReading(string Index, string? Uuid, string Name, double? UtilizationPercent, double? MemoryUsedMb)
{
    /// <summary>True when <paramref name="device"/> (a CUDA_VISIBLE_DEVICES entry: an index or a UUID) names this device.</summary>
    public bool Is(string device) =>
        device == Index
        || (Uuid is not null && device.StartsWith("GPU-", StringComparison.Ordinal) && Uuid.StartsWith(device, StringComparison.Ordinal));
}
