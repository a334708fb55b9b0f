using System.Globalization;
using System.Text.RegularExpressions;

namespace Waybill.Core.Pipeline.Controls;

/// <summary>
/// Durations (<c>90s</c>, <c>30m</c>, <c>1h30m</c>, <c>500ms</c>, <c>2d</c>; a number alone is refused) and sizes
/// (<c>4GiB</c>, <c>512MB</c>, <c>4G</c>).
/// </summary>
public static partial class Quantities
{
    public const string DurationRule = "a duration is a number with a unit: 500ms, 90s, 30m, 2h, 1d, or parts together like 1h30m";
    private static readonly System.Buffers.SearchValues<char> Units = System.Buffers.SearchValues.Create("dhms");
    public const string SizeRule = "a size is a number with a unit: 512MiB, 4GiB, 4G (binary), 4GB (decimal), 100KiB, 1TiB";

    /// <summary>
    /// A duration; null with <paramref name="problem"/> set when the text is not one. A positive number alone is refused
    /// rather than guessed (Snakemake counts runtime in minutes, other tools seconds); zero or less reads as that many
    /// seconds, so the caller can say that it must be longer than 0.
    /// </summary>
    public static TimeSpan? ParseDuration(string text, out string? problem)
    {
        problem = null;
        var trimmed = text.Trim();
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var bare) && double.IsFinite(bare))
        {
            if (bare <= 0) return Seconds(bare, out problem);
            problem = $"'{trimmed}' has no unit: write {trimmed}s or {trimmed}m";
            return null;
        }
        var match = DurationPattern().Match(trimmed);
        if (!match.Success)
        {
            problem = $"'{trimmed}' is not a duration";
            return null;
        }
        var negative = match.Groups["sign"].Value == "-";
        double seconds = 0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unitAt = part.Value.AsSpan().IndexOfAny(Units);
            var number = double.Parse(part.Value[..unitAt], NumberStyles.Float, CultureInfo.InvariantCulture);
            seconds += part.Value[unitAt..] switch
            {
                "ms" => number / 1000,
                "s" => number,
                "m" => number * 60,
                "h" => number * 3600,
                _ => number * 86400,
            };
        }
        return Seconds(negative ? -seconds : seconds, out problem);
    }

    private static TimeSpan? Seconds(double seconds, out string? problem)
    {
        problem = null;
        if (seconds > TimeSpan.FromDays(366).TotalSeconds)
        {
            problem = "is longer than a year";
            return null;
        }
        // Below zero only its sign matters to a caller, and -1e300 seconds would overflow a TimeSpan.
        return seconds < 0 ? TimeSpan.FromTicks(-1) : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>"30m", "1h30m", "90s", "1.5s": the shortest text that reads back as <paramref name="value"/> to the millisecond.</summary>
    public static string FormatDuration(TimeSpan value)
    {
        if (value.TotalSeconds < 1) return $"{Math.Round(value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}ms";
        if (value.Milliseconds != 0 || value.TotalSeconds < 60 && value.TotalSeconds % 1 != 0)
            return $"{Math.Round(value.TotalSeconds, 3).ToString(CultureInfo.InvariantCulture)}s";
        var parts = new List<string>();
        if (value.Days > 0) parts.Add($"{value.Days}d");
        if (value.Hours > 0) parts.Add($"{value.Hours}h");
        if (value.Minutes > 0) parts.Add($"{value.Minutes}m");
        if (value.Seconds > 0) parts.Add($"{value.Seconds}s");
        return parts.Count == 0 ? "0s" : string.Concat(parts);
    }

    /// <summary>
    /// A size in bytes; null with <paramref name="problem"/> set when the text is not one. A bare number has no unit
    /// and is refused.
    /// </summary>
    public static long? ParseSize(string text, out string? problem)
    {
        problem = null;
        var match = SizePattern().Match(text.Trim());
        if (!match.Success)
        {
            problem = long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
                ? $"'{text.Trim()}' has no unit" : $"'{text.Trim()}' is not a size";
            return null;
        }
        var number = double.Parse(match.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        var unit = match.Groups["u"].Value.ToUpperInvariant();
        var binary = unit.Length == 1 || unit.EndsWith("IB", StringComparison.Ordinal);
        var power = unit[0] switch { 'B' => 0, 'K' => 1, 'M' => 2, 'G' => 3, _ => 4 };
        if (unit == "B") binary = true;
        var bytes = number * Math.Pow(binary ? 1024 : 1000, power);
        if (bytes >= long.MaxValue / 2)
        {
            problem = $"'{text.Trim()}' is too large";
            return null;
        }
        return (long)bytes;
    }

    /// <summary>"4GiB", "512MiB", "100B": written as a size is given in a pipeline file.</summary>
    public static string FormatSize(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return $"{Math.Round(value, 2).ToString(CultureInfo.InvariantCulture)}{units[unit]}";
    }

    [GeneratedRegex(@"^(?<sign>-)?(?<part>[0-9]+(\.[0-9]+)?(ms|s|m|h|d))+\z", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(?<n>[0-9]+(\.[0-9]+)?)\s*(?<u>[KkMmGgTt]i?[Bb]?|[Bb])\z", RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();
}
