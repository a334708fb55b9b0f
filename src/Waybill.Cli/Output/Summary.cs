using System.Globalization;
using Spectre.Console;
using Waybill.Core.Manifests;

namespace Waybill.Cli.Output;

/// <summary>The stage table shown after a run and by <c>waybill status</c>.</summary>
public static class Summary
{
    /// <param name="optional">Optional stages: a failure of one is shown as <c>failed (optional)</c>, as it did not fail the job.</param>
    /// <param name="warnings">What the job went on after (failed optional stages), printed under the table.</param>
    public static void Print(TextWriter output, string jobDir, IReadOnlyList<StageManifest> stages, IReadOnlySet<string>? optional = null,
        IReadOnlyList<string>? warnings = null)
    {
        PrintTable(output, jobDir, stages, optional ?? new HashSet<string>());
        foreach (var warning in warnings ?? []) output.WriteLine($"Warning:      {Shown(warning)}");
    }

    private static void PrintTable(TextWriter output, string jobDir, IReadOnlyList<StageManifest> stages, IReadOnlySet<string> optional)
    {
        string StatusOf(StageManifest stage) => stage.Status == "failed" && optional.Contains(stage.StageId) ? "failed (optional)" : stage.Status;
        if (!Terminal.IsInteractive)
        {
            var width = stages.Any(s => StatusOf(s).Length > 10) ? 17 : 10;
            output.WriteLine($"{"STAGE",-28} {"STATUS".PadRight(width)} {"DURATION",9}  {"OUTPUTS",7}  {"WARN",4}  {"ERR",3}  REASON");
            foreach (var stage in stages)
                output.WriteLine($"{stage.StageId,-28} {StatusOf(stage).PadRight(width)} {Seconds(stage),9}  {stage.Outputs.Count,7}  "
                    + $"{stage.Warnings.Count,4}  {stage.Errors.Count,3}  {Shown(stage.StatusReason)}");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(Path.GetFileName(jobDir)));
        table.AddColumns("Stage", "Status", "Duration", "Outputs", "Warnings", "Errors", "Reason");
        foreach (var stage in stages)
        {
            table.AddRow(
                Markup.Escape(stage.StageId),
                Terminal.StatusMarkup(StatusOf(stage)),
                Seconds(stage),
                Markup.Escape(Shown(string.Join(", ", stage.Outputs.Select(o => Path.GetFileName(o.Path))))),
                stage.Warnings.Count == 0 ? "0" : $"[yellow]{stage.Warnings.Count}[/]",
                stage.Errors.Count == 0 ? "0" : $"[red]{stage.Errors.Count}[/]",
                Markup.Escape(Shown(stage.StatusReason)));
        }
        Terminal.Create(output).Write(table);
    }

    /// <summary>A reason may end with a command's last stderr line, a name may hold a newline: controls are escaped.</summary>
    private static string Shown(string? text) => Waybill.Core.Logging.LogText.EscapeControls(text ?? "");

    private static string Seconds(StageManifest stage) => stage.DurationSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";
}
