using System.Globalization;
using Spectre.Console;
using Waybill.Core.Manifests;

namespace Waybill.Cli.Output;

/// <summary>The stage table shown after a run and by <c>waybill status</c>.</summary>
public static class Summary
{
    public static void Print(TextWriter output, string jobDir, IReadOnlyList<StageManifest> stages)
    {
        if (!Terminal.IsInteractive)
        {
            output.WriteLine($"{"STAGE",-28} {"STATUS",-10} {"DURATION",9}  {"OUTPUTS",7}  {"WARN",4}  {"ERR",3}  REASON");
            foreach (var stage in stages)
                output.WriteLine($"{stage.StageId,-28} {stage.Status,-10} {Seconds(stage),9}  {stage.Outputs.Count,7}  "
                    + $"{stage.Warnings.Count,4}  {stage.Errors.Count,3}  {Shown(stage.StatusReason)}");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(Path.GetFileName(jobDir)));
        table.AddColumns("Stage", "Status", "Duration", "Outputs", "Warnings", "Errors", "Reason");
        foreach (var stage in stages)
        {
            table.AddRow(
                Markup.Escape(stage.StageId),
                Terminal.StatusMarkup(stage.Status),
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
