using System.Globalization;

namespace Waybill.Catalog;

/// <summary><c>--since 7d</c>, <c>24h</c>, <c>30m</c>, <c>2w</c>, a date (<c>2026-12-01</c>, UTC midnight) or a timestamp.</summary>
internal static class SinceParser
{
    public static DateTimeOffset Parse(string text, DateTimeOffset now)
    {
        var trimmed = text.Trim();
        if (trimmed.Length >= 2 && long.TryParse(trimmed[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= 100_000)
        {
            TimeSpan? unit = char.ToLowerInvariant(trimmed[^1]) switch
            {
                'm' => TimeSpan.FromMinutes(1),
                'h' => TimeSpan.FromHours(1),
                'd' => TimeSpan.FromDays(1),
                'w' => TimeSpan.FromDays(7),
                _ => null,
            };
            if (unit is { } u) return now - u * count;
        }
        if (DateTimeOffset.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var day))
            return day;
        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
        throw new CatalogException($"--since '{text}' is neither an age (30m, 24h, 7d, 2w) nor a date (2026-12-01) or time (2026-12-01T08:00:00Z)");
    }
}
