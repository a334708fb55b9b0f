using Waybill.Core.Manifests;
using Waybill.Core.Pipeline.Costs;

namespace Waybill.Core.Execution.Costs;

/// <summary>
/// The job manifest's <c>cost</c>: what this run's stage runs cost, added up unit by unit when the run ends (one pass over
/// the outcomes the run holds anyway; nothing is summed per stage while it runs). Stages found up to date, not run, or
/// left alone by the run's selection add nothing: their work, and its cost, belongs to the run that did it.
/// </summary>
internal static class JobCost
{
    public static StageCost? Sum(RateCard? card, IEnumerable<StageOutcome> outcomes)
    {
        if (card is null) return null;
        var byUnit = new SortedDictionary<string, (double Quantity, double Amount, string? Source)>(StringComparer.Ordinal);
        foreach (var outcome in outcomes)
        {
            if (outcome.LeftUntouched || outcome.Status == StageStatus.Skipped || outcome.Manifest.Cost is not { } cost) continue;
            foreach (var line in cost.Lines)
            {
                var (quantity, amount, _) = byUnit.GetValueOrDefault(line.Unit);
                byUnit[line.Unit] = (quantity + line.Quantity, amount + line.Amount, line.Source);
            }
        }
        // A unit priced at several rates (GPU models) shows the mean rate: amount over quantity.
        var lines = byUnit.Select(u => new CostLine
        {
            Unit = u.Key, Quantity = StagePricing.Round(u.Value.Quantity), Amount = StagePricing.Round(u.Value.Amount), Source = u.Value.Source,
            Rate = u.Value.Quantity > 0 ? StagePricing.Round(u.Value.Amount / u.Value.Quantity) : card.Rates.GetValueOrDefault(u.Key),
        }).ToList();
        return new StageCost { Currency = card.Currency, Lines = lines, Total = StagePricing.Round(lines.Sum(l => l.Amount)) };
    }
}
