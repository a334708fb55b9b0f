using System.Text.RegularExpressions;

namespace Waybill.Core.Pipeline.Costs;

/// <summary>What a reported unit's name may be: the same rule for <c>reports:</c>, the rate card and the stages' reports.</summary>
internal static partial class UsageUnits
{
    public const string Rule = "a unit is a lower-case name of letters, digits and '_' (tokens, api_calls), at most 64 characters, "
        + "other than cpu_hour, memory_gb_hour and gpu_hour (measured by the engine)";

    /// <summary>Null when <paramref name="unit"/> may be reported; else what is wrong with it.</summary>
    public static string? Problem(string? unit)
    {
        if (string.IsNullOrEmpty(unit) || !Name().IsMatch(unit)) return $"'{Text.PrintableText.Of(unit ?? "", 70)}' is not a unit name";
        if (Array.IndexOf(RateCard.MeasuredUnits, unit) >= 0) return $"'{unit}' is measured by the engine, not reported";
        return null;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex Name();
}
