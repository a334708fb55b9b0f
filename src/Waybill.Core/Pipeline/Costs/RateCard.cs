namespace Waybill.Core.Pipeline.Costs;

/// <summary>
/// The prices a run's stage runs are costed at (the pipeline file's <c>cost:</c>): CPU hours, memory GiB-hours, GPU hours
/// by device model, and the units stages report themselves (<c>tokens</c>, <c>api_calls</c>). Not part of any
/// fingerprint: a new price never reruns a stage.
/// </summary>
internal sealed class RateCard
{
    public const string CpuHour = "cpu_hour";
    public const string MemoryGbHour = "memory_gb_hour";
    public const string GpuHour = "gpu_hour";
    /// <summary>The GPU rate for a device the card does not name, or one whose model was not measured.</summary>
    public const string DefaultDevice = "default";

    /// <summary>The units priced from what the engine measures; every other unit is one a stage reports.</summary>
    public static readonly string[] MeasuredUnits = [CpuHour, MemoryGbHour, GpuHour];

    /// <summary>An ISO 4217 code (<c>EUR</c>); <c>USD</c> when the card names none.</summary>
    public string Currency { get; init; } = "USD";

    /// <summary>Unit → price of one unit, for <c>cpu_hour</c>, <c>memory_gb_hour</c> and reported units.</summary>
    public IReadOnlyDictionary<string, double> Rates { get; init; } = new Dictionary<string, double>();

    /// <summary>Device model (as the driver names it) → price of one GPU hour; <see cref="DefaultDevice"/> for the others.</summary>
    public IReadOnlyDictionary<string, double> GpuRates { get; init; } = new Dictionary<string, double>();

    /// <summary>The price of an hour of <paramref name="device"/>, else the default GPU rate; null when neither is given.</summary>
    public double? GpuRate(string? device) =>
        device is not null && GpuRates.TryGetValue(device, out var rate) ? rate
        : GpuRates.TryGetValue(DefaultDevice, out var fallback) ? fallback : null;
}
