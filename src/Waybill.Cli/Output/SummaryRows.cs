using System.Globalization;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline.FanOut;

namespace Waybill.Cli.Output;

/// <summary>A row of the stage table: one stage run, or the items of a fan-out stage in one row (<c>06_asr[*]</c>).</summary>
/// <param name="Cost">The stage run's cost total under the rate card; null when it records none.</param>
public sealed record SummaryRow(string Stage, string Status, double Seconds, IReadOnlyList<string> Outputs, int Warnings, int Errors, string? Reason,
    double? Cost = null);

/// <summary>
/// Keeps the table readable for many items: a fan-out stage with more than <see cref="GroupAbove"/> items is one row with
/// the count per status, followed by its items that did not succeed (nor were found up to date) (the first <see cref="ShownProblems"/>).
/// </summary>
public static class SummaryRows
{
    public const int GroupAbove = 10;
    public const int ShownProblems = 5;

    // The group row's status is its worst item's: one failed item makes the row 'failed'.
    private static readonly string[] Severity = ["failed", "interrupted", "cancelled", "running", "skipped", "pending"];

    /// <param name="allItems">One row per item run, however many (<c>status --items</c>).</param>
    /// <param name="grouped">The fan-out stages shown as one row, for the hint under the table.</param>
    public static List<SummaryRow> Build(IReadOnlyList<StageManifest> stages, Func<StageManifest, string> statusOf, bool allItems,
        out List<string> grouped)
    {
        grouped = [];
        var rows = new List<SummaryRow>(stages.Count);
        var groups = stages.GroupBy(s => ItemKeys.TrySplit(s.StageId, out var stage, out _) ? stage : s.StageId, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            // A dynamic fan-out's own run (it read the list) is a row of its own, before its items.
            rows.AddRange(group.Where(s => s.StageId == group.Key).Select(s => Row(s, statusOf(s))));
            var items = group.Where(s => s.StageId != group.Key).ToList();
            if (allItems || items.Count <= GroupAbove)
            {
                rows.AddRange(items.Select(s => Row(s, statusOf(s))));
                continue;
            }
            grouped.Add(group.Key);
            var counts = items.GroupBy(statusOf, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Count().ToString(CultureInfo.InvariantCulture)} {g.Key}");
            // Items found up to date are as good as those that ran: neither colours the row nor is listed under it.
            var problems = items.Where(i => !Fine(i, statusOf)).ToList();
            var worst = Severity.FirstOrDefault(s => problems.Any(i => statusOf(i).StartsWith(s, StringComparison.Ordinal)))
                ?? (problems.Count == 0 && items.Any(i => statusOf(i) == "success") ? "success" : statusOf(items[0]));
            var outputs = items.SelectMany(i => i.Outputs).Select(o => o.Path).ToList();
            rows.Add(new SummaryRow(group.Key + "[*]", worst, items.Sum(i => i.DurationSeconds), outputs, items.Sum(i => i.Warnings.Count),
                items.Sum(i => i.Errors.Count), $"{items.Count.ToString(CultureInfo.InvariantCulture)} items: {string.Join(", ", counts)}",
                items.Any(i => i.Cost is not null && i.ProducedBy is null) ? items.Where(i => i.ProducedBy is null).Sum(i => i.Cost?.Total ?? 0) : null));
            rows.AddRange(problems.Take(ShownProblems).Select(s => Row(s, statusOf(s)) with { Stage = "  " + s.StageId }));
            if (problems.Count > ShownProblems)
            {
                var more = (problems.Count - ShownProblems).ToString(CultureInfo.InvariantCulture);
                rows.Add(new SummaryRow($"  … {more} more", "", 0, [], 0, 0, null));
            }
        }
        return rows;
    }

    private static bool Fine(StageManifest item, Func<StageManifest, string> statusOf) =>
        statusOf(item) is var status && (status == "success" || (status == "skipped" && item.StatusReason == Core.Caching.StageDecision.UpToDate));

    // A stage found up to date did no work in this run: its manifest's cost is the producing run's, not this run's.
    private static SummaryRow Row(StageManifest s, string status) =>
        new(s.StageId, status, s.DurationSeconds, [.. s.Outputs.Select(o => o.Path)], s.Warnings.Count, s.Errors.Count, s.StatusReason,
            s.ProducedBy is null ? s.Cost?.Total : null);
}
