using System.Globalization;

namespace Waybill.Core.Execution.Protocol;

/// <summary>What a progress message's unit may be: a short name the live display prints as it is.</summary>
internal static class ProgressUnits
{
    /// <summary>The longest unit: the display's row has room for little more than a word.</summary>
    public const int MaxLength = 32;

    /// <summary>Null when <paramref name="unit"/> may be shown; else what is wrong with it.</summary>
    public static string? Problem(string unit)
    {
        if (string.IsNullOrWhiteSpace(unit)) return "empty; leave it out for items, or name what is counted (segments, frames)";
        if (unit.Length > MaxLength)
            return string.Create(CultureInfo.InvariantCulture, $"{unit.Length} characters, more than the {MaxLength} a unit may have");
        // A control or formatting character would move the terminal's cursor or turn the text around.
        if (unit.Any(c => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format))
            return $"'{Text.PrintableText.Of(unit, 40)}' has control characters";
        return null;
    }
}
