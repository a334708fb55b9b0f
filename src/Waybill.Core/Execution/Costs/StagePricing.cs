using Waybill.Core.Manifests;
using Waybill.Core.Pipeline.Costs;

namespace Waybill.Core.Execution.Costs;

/// <summary>
/// Prices one stage run's resources under a rate card: CPU hours from <c>cpu_seconds</c>, memory GiB-hours from the peak
/// RSS held for the wall time, GPU hours for the GPUs given over the wall time, and the quantities the stage reported.
/// A figure that <c>resources.shared</c> marks as not the stage's own (an in-process stage's peak is the engine's, its CPU
/// the engine's when other stages ran beside it) is not priced: each stage beside it would be billed the same figure.
/// </summary>
internal static class StagePricing
{
    private const string Measured = "measured";
    private const string Reported = "reported";

    /// <summary>Null without a rate card: a run without one records no cost.</summary>
    public static StageCost? Price(RateCard? card, ResourceUsage resources)
    {
        if (card is null) return null;
        var lines = new List<CostLine>();
        var wallHours = resources.WallSeconds / 3600;
        var shared = resources.Shared ?? [];
        if (!shared.Contains("cpu") && card.Rates.TryGetValue(RateCard.CpuHour, out var cpu))
            lines.Add(Line(RateCard.CpuHour, resources.CpuSeconds / 3600, cpu, Measured));
        if (!shared.Contains("peak_rss") && card.Rates.TryGetValue(RateCard.MemoryGbHour, out var memory))
            lines.Add(Line(RateCard.MemoryGbHour, resources.PeakRssMb / 1024 * wallHours, memory, Measured));
        foreach (var (model, count) in GpuModels(resources))
        {
            if (card.GpuRate(model) is { } gpu) lines.Add(Line(RateCard.GpuHour, count * wallHours, gpu, Measured));
        }
        foreach (var (unit, quantity) in (resources.Usage ?? []).OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            if (card.Rates.TryGetValue(unit, out var rate)) lines.Add(Line(unit, quantity, rate, Reported));
        }
        return new StageCost { Currency = card.Currency, Lines = lines, Total = Round(lines.Sum(l => l.Amount)) };
    }

    /// <summary>
    /// The stage's GPUs by model: all of <c>gpu.device</c>'s model, or where it names one model per device (devices of
    /// different models) a line per model; the card's default (a null model) where the models do not match the count.
    /// </summary>
    private static IEnumerable<(string? Model, int Count)> GpuModels(ResourceUsage resources)
    {
        var gpus = GpusGiven(resources);
        if (gpus == 0) return [];
        var models = resources.Gpu?.Device?.Split(", ") ?? [];
        if (models.Length <= 1) return [(models.FirstOrDefault(), gpus)];
        if (models.Length != gpus) return [(null, gpus)];
        return models.GroupBy(m => m, StringComparer.Ordinal).Select(g => ((string?)g.Key, g.Count()));
    }

    /// <summary>The GPUs the scheduler gave the stage; what it asked for where none were handed out by name.</summary>
    private static int GpusGiven(ResourceUsage resources) => resources.GpuDevices?.Count ?? resources.Requested?.Gpus ?? 0;

    /// <summary>The amount is the recorded quantity times the rate, so a reader can check every line from the manifest alone.</summary>
    internal static CostLine Line(string unit, double quantity, double rate, string source)
    {
        var recorded = Round(quantity);
        return new() { Unit = unit, Quantity = recorded, Rate = rate, Amount = Round(recorded * rate), Source = source };
    }

    /// <summary>Nine decimals: a millisecond of one CPU at 0.04 an hour is 1.1e-8, still seen; float noise beyond is not.</summary>
    internal static double Round(double value) => Math.Round(value, 9);
}
