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
            rows.Add(GroupRow(group.Key, items, statusOf, out var problems));
            rows.AddRange(problems.Take(ShownProblems).Select(s => Row(s, statusOf(s)) with { Stage = "  " + s.StageId }));
            if (problems.Count > ShownProblems)
            {
                var more = (problems.Count - ShownProblems).ToString(CultureInfo.InvariantCulture);
                rows.Add(new SummaryRow($"  … {more} more", "", 0, [], 0, 0, null));
            }
        }
        return rows;
    }

    /// <summary>A fan-out's items as one row, in one pass over them (a rerun of 100,000 items prints this row).</summary>
    private static SummaryRow GroupRow(string stage, List<StageManifest> items, Func<StageManifest, string> statusOf,
        out List<StageManifest> problems)
    {
        var notFine = new List<StageManifest>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var outputs = new List<string>();
        var (seconds, warnings, errors, cost, anyCost, anySuccess) = (0.0, 0, 0, 0.0, false, false);
        foreach (var item in items)
        {
            var status = statusOf(item);
            counts[status] = counts.GetValueOrDefault(status) + 1;
            anySuccess |= status == "success";
            // Items found up to date are as good as those that ran: neither colours the row nor is listed under it.
            if (!Fine(item, status)) notFine.Add(item);
            foreach (var output in item.Outputs) outputs.Add(output.Path);
            seconds += item.DurationSeconds;
            warnings += item.Warnings.Count;
            errors += item.Errors.Count;
            if (item.ProducedBy is not null) continue;
            cost += item.Cost?.Total ?? 0;
            anyCost |= item.Cost is not null;
        }
        problems = notFine;
        var worst = Severity.FirstOrDefault(s => notFine.Any(i => statusOf(i).StartsWith(s, StringComparison.Ordinal)))
            ?? (notFine.Count == 0 && anySuccess ? "success" : statusOf(items[0]));
        var shown = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => $"{c.Value.ToString(CultureInfo.InvariantCulture)} {c.Key}");
        return new SummaryRow(stage + "[*]", worst, seconds, outputs, warnings, errors,
            $"{items.Count.ToString(CultureInfo.InvariantCulture)} items: {string.Join(", ", shown)}", anyCost ? cost : null);
    }

    private static bool Fine(StageManifest item, string status) =>
        status == "success" || (status == "skipped" && item.StatusReason == Core.Caching.StageDecision.UpToDate);

    // A stage found up to date did no work in this run: its manifest's cost is the producing run's, not this run's.
    private static SummaryRow Row(StageManifest s, string status) =>
        new(s.StageId, status, s.DurationSeconds, [.. s.Outputs.Select(o => o.Path)], s.Warnings.Count, s.Errors.Count, s.StatusReason,
            s.ProducedBy is null ? s.Cost?.Total : null);
}
