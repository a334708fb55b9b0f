using System.Globalization;
using Spectre.Console;
using Waybill.Core.Manifests;

namespace Waybill.Cli.Output;

/// <summary>The stage table shown after a run and by <c>waybill status</c>.</summary>
public static class Summary
{
    /// <param name="optional">Optional stages: a failure of one is shown as <c>failed (optional)</c>, as it did not fail the job.</param>
    /// <param name="warnings">What the job went on after (failed optional stages), printed under the table.</param>
    /// <param name="allItems">Every item of a fan-out on its own row; otherwise many items are one row (see <see cref="SummaryRows"/>).</param>
    /// <param name="jobId">Named in the hint on how to see grouped items.</param>
    /// <param name="cost">What the run cost (the job manifest's <c>cost</c>), printed under the table; null without a rate card.</param>
    public static void Print(TextWriter output, string jobDir, IReadOnlyList<StageManifest> stages, IReadOnlySet<string>? optional = null,
        IReadOnlyList<string>? warnings = null, bool allItems = false, string? jobId = null, StageCost? cost = null)
    {
        optional ??= new HashSet<string>();
        string StatusOf(StageManifest stage) => stage.Status == "failed" && optional.Contains(stage.StageId) ? "failed (optional)" : stage.Status;
        var rows = SummaryRows.Build(stages, StatusOf, allItems, out var grouped);
        PrintTable(output, jobDir, rows, costs: cost is not null || rows.Any(r => r.Cost is not null));
        if (grouped.Count > 0)
            output.WriteLine($"Items:        {string.Join(", ", grouped)} shown as one row each; "
                + $"'waybill status {jobId ?? Path.GetFileName(jobDir)} {grouped[0]}' lists its items, --items lists every item");
        foreach (var warning in warnings ?? []) output.WriteLine($"Warning:      {Shown(warning)}");
        if (cost is not null) output.WriteLine($"Cost:         {CostText.Of(cost)}");
    }

    /// <param name="costs">A cost column: the run has a rate card.</param>
    private static void PrintTable(TextWriter output, string jobDir, List<SummaryRow> rows, bool costs)
    {
        var c = CultureInfo.InvariantCulture;
        if (!Terminal.IsInteractive)
        {
            var width = rows.Any(s => s.Status.Length > 10) ? 17 : 10;
            var stageWidth = Math.Max(28, rows.Count == 0 ? 0 : rows.Max(r => r.Stage.Length));
            var costHeader = costs ? $"{"COST",12}  " : "";
            output.WriteLine($"{"STAGE".PadRight(stageWidth)} {"STATUS".PadRight(width)} {"DURATION",9}  {"OUTPUTS",7}  {"WARN",4}  "
                + $"{"ERR",3}  {costHeader}REASON");
            foreach (var row in rows)
            {
                var cost = costs ? $"{CostText.Amount(row.Cost),12}  " : "";
                output.WriteLine(string.Create(c, $"{Shown(row.Stage).PadRight(stageWidth)} {row.Status.PadRight(width)} {Seconds(row),9}  ")
                    + string.Create(c, $"{row.Outputs.Count,7}  {row.Warnings,4}  {row.Errors,3}  {cost}{Shown(row.Reason)}"));
            }
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(Path.GetFileName(jobDir)));
        table.AddColumns(costs ? ["Stage", "Status", "Duration", "Outputs", "Warnings", "Errors", "Cost", "Reason"]
            : ["Stage", "Status", "Duration", "Outputs", "Warnings", "Errors", "Reason"]);
        foreach (var row in rows)
        {
            var outputs = row.Outputs.Count > 3 ? $"{row.Outputs.Count.ToString(c)} files" : string.Join(", ", row.Outputs.Select(Path.GetFileName));
            List<string> cells =
            [
                Markup.Escape(Shown(row.Stage)),
                row.Status.Length == 0 ? "" : Terminal.StatusMarkup(row.Status),
                Seconds(row),
                Markup.Escape(Shown(outputs)),
                row.Warnings == 0 ? "0" : $"[yellow]{row.Warnings.ToString(c)}[/]",
                row.Errors == 0 ? "0" : $"[red]{row.Errors.ToString(c)}[/]",
            ];
            if (costs) cells.Add(CostText.Amount(row.Cost));
            cells.Add(Markup.Escape(Shown(row.Reason)));
            table.AddRow([.. cells]);
        }
        Terminal.Create(output).Write(table);
    }

    /// <summary>A reason may end with a command's last stderr line, a name may hold a newline: controls are escaped.</summary>
    private static string Shown(string? text) => Waybill.Core.Logging.LogText.EscapeControls(text ?? "");

    private static string Seconds(SummaryRow row) => row.Status.Length == 0 ? "" : row.Seconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";
}
