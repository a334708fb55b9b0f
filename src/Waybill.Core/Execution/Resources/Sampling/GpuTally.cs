using Waybill.Core.Manifests;

namespace Waybill.Core.Execution.Resources.Sampling;

/// <summary>
/// The GPU figures of one stage over its samples: utilisation is the mean over the stage's devices at each sample, memory
/// the sum over them; the manifest gets the mean and the largest utilisation and the largest memory. The device is the
/// model's name, or where the stage's devices are of different models each device's model in index order, so that each
/// can be priced at its own rate.
/// </summary>
internal sealed class GpuTally
{
    private double _percentSum;
    private int _percentCount;
    private double? _percentMax;
    private double? _memoryPeak;
    private string? _device;
    private int _readings;

    /// <summary>Adds one sample; the row's figures (null where the driver gave none).</summary>
    public (double? Percent, double? MemoryMb)? Add(IReadOnlyList<GpuReading> readings)
    {
        if (readings.Count == 0) return null;
        _readings++;
        _device ??= DeviceOf(readings);
        var percents = readings.Where(r => r.UtilizationPercent is not null).Select(r => r.UtilizationPercent!.Value).ToList();
        var memories = readings.Where(r => r.MemoryUsedMb is not null).Select(r => r.MemoryUsedMb!.Value).ToList();
        double? percent = percents.Count == 0 ? null : percents.Average();
        double? memory = memories.Count == 0 ? null : memories.Sum();
        if (percent is { } p)
        {
            _percentSum += p;
            _percentCount++;
            _percentMax = Math.Max(_percentMax ?? 0, p);
        }
        if (memory is { } m) _memoryPeak = Math.Max(_memoryPeak ?? 0, m);
        return (percent, memory);
    }

    /// <summary>The one model of the devices, else each device's model in index order: <c>A, A, B</c>.</summary>
    internal static string DeviceOf(IReadOnlyList<GpuReading> readings)
    {
        var names = readings.OrderBy(r => int.TryParse(r.Index, out var i) ? i : int.MaxValue).ThenBy(r => r.Index, StringComparer.Ordinal)
            .Select(r => r.Name).ToList();
        return names.Distinct(StringComparer.Ordinal).Count() == 1 ? names[0] : string.Join(", ", names);
    }

    /// <summary>The manifest's <c>gpu</c>: measured when any sample had a reading, else unavailable with the reason.</summary>
    public GpuUsage Usage(string? unavailable, int rows, TimeSpan interval)
    {
        if (_readings == 0)
        {
            var shortest = Pipeline.Controls.Quantities.FormatDuration(interval);
            var reason = unavailable
                ?? (rows == 0 ? $"the stage ran shorter than one sample interval ({shortest}): no GPU sample was taken"
                    : "nvidia-smi gave no reading for the stage's devices");
            return new GpuUsage { Available = false, Reason = reason };
        }
        return new GpuUsage
        {
            Available = true,
            Device = _device,
            UtilizationPercentMean = _percentCount == 0 ? null : Math.Round(_percentSum / _percentCount, 1),
            UtilizationPercentMax = _percentMax,
            MemoryUsedMbPeak = _memoryPeak,
            MeasuredBy = "nvidia-smi",
        };
    }
}
