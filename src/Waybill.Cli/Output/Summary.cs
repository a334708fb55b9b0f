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
    public static void Print(TextWriter output, string jobDir, IReadOnlyList<StageManifest> stages, IReadOnlySet<string>? optional = null,
        IReadOnlyList<string>? warnings = null, bool allItems = false, string? jobId = null)
    {
        optional ??= new HashSet<string>();
        string StatusOf(StageManifest stage) => stage.Status == "failed" && optional.Contains(stage.StageId) ? "failed (optional)" : stage.Status;
        var rows = SummaryRows.Build(stages, StatusOf, allItems, out var grouped);
        PrintTable(output, jobDir, rows);
        if (grouped.Count > 0)
            output.WriteLine($"Items:        {string.Join(", ", grouped)} shown as one row each; "
                + $"'waybill status {jobId ?? Path.GetFileName(jobDir)} {grouped[0]}' lists its items, --items lists every item");
        foreach (var warning in warnings ?? []) output.WriteLine($"Warning:      {Shown(warning)}");
    }

    private static void PrintTable(TextWriter output, string jobDir, List<SummaryRow> rows)
    {
        var c = CultureInfo.InvariantCulture;
        if (!Terminal.IsInteractive)
        {
            var width = rows.Any(s => s.Status.Length > 10) ? 17 : 10;
            var stageWidth = Math.Max(28, rows.Count == 0 ? 0 : rows.Max(r => r.Stage.Length));
            output.WriteLine($"{"STAGE".PadRight(stageWidth)} {"STATUS".PadRight(width)} {"DURATION",9}  {"OUTPUTS",7}  {"WARN",4}  {"ERR",3}  REASON");
            foreach (var row in rows)
            {
                output.WriteLine(string.Create(c, $"{Shown(row.Stage).PadRight(stageWidth)} {row.Status.PadRight(width)} {Seconds(row),9}  ")
                    + string.Create(c, $"{row.Outputs.Count,7}  {row.Warnings,4}  {row.Errors,3}  {Shown(row.Reason)}"));
            }
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(Path.GetFileName(jobDir)));
        table.AddColumns("Stage", "Status", "Duration", "Outputs", "Warnings", "Errors", "Reason");
        foreach (var row in rows)
        {
            var outputs = row.Outputs.Count > 3 ? $"{row.Outputs.Count.ToString(c)} files" : string.Join(", ", row.Outputs.Select(Path.GetFileName));
            table.AddRow(
                Markup.Escape(Shown(row.Stage)),
                row.Status.Length == 0 ? "" : Terminal.StatusMarkup(row.Status),
                Seconds(row),
                Markup.Escape(Shown(outputs)),
                row.Warnings == 0 ? "0" : $"[yellow]{row.Warnings.ToString(c)}[/]",
                row.Errors == 0 ? "0" : $"[red]{row.Errors.ToString(c)}[/]",
                Markup.Escape(Shown(row.Reason)));
        }
        Terminal.Create(output).Write(table);
    }

    /// <summary>A reason may end with a command's last stderr line, a name may hold a newline: controls are escaped.</summary>
    private static string Shown(string? text) => Waybill.Core.Logging.LogText.EscapeControls(text ?? "");

    private static string Seconds(SummaryRow row) => row.Status.Length == 0 ? "" : row.Seconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";
}
