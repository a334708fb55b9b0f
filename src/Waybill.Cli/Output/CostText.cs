using System.Globalization;
using Waybill.Core.Manifests;

namespace Waybill.Cli.Output;

/// <summary>Costs as the table and the line under it show them: <c>0.0123 EUR (cpu_hour 0.0001, tokens 0.0122)</c>.</summary>
internal static class CostText
{
    /// <summary>The total and each line's amount; "this run" because stages found up to date add nothing to it.</summary>
    public static string Of(StageCost cost)
    {
        var lines = cost.Lines.Count == 0 ? "" : $" ({string.Join(", ", cost.Lines.Select(l => $"{l.Unit} {Amount(l.Amount)}"))})";
        return $"{Amount(cost.Total)} {cost.Currency} this run{lines}";
    }

    /// <summary>Up to six decimals, so a few CPU seconds still show; an amount smaller than that is not shown as nothing.</summary>
    public static string Amount(double? amount) => amount switch
    {
        null => "",
        0 => "0",
        < 0.000001 => "<0.000001",
        var value => value.Value.ToString("0.######", CultureInfo.InvariantCulture),
    };
}
