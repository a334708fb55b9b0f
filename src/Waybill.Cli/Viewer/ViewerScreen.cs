using Waybill.Cli.Output;
using System.Text;

namespace Waybill.Cli.Viewer;

/// <summary>
/// Draws a whole frame as one string of cursor moves and text: the header, the stage pane and the log pane side by
/// side, a message line and the help line. Every row is cut to the width, so nothing wraps and nothing scrolls.
/// </summary>
internal static class ViewerScreen
{
    private const string Reset = "\u001b[0m";
    private const string Inverse = "\u001b[7m";
    private const string Help =
        "q quit  ↑↓/jk move  PgUp/PgDn page  Tab pane  / search  n next  e error  l level  s stage  f follow  ←→ shift";

    public static int LeftWidth(int width) => Math.Clamp(width / 4, 12, 36);

    /// <summary>The rows the panes have: the screen less the header, message and help lines.</summary>
    public static int PaneRows(int height) => Math.Max(1, height - 3);

    public static string Render(ViewerState state, int width, int height, bool color)
    {
        var frame = new StringBuilder(width * height * 2);
        var rows = PaneRows(height);
        var left = LeftWidth(width);
        var right = Math.Max(1, width - left - 1);
        state.View?.Has(state.Top + rows); // the lines on screen are found before the header counts them
        Row(frame, 1, Inverse + Pad(DisplayText.Fit(Header(state), 0, width), width) + Reset);
        for (var row = 0; row < rows; row++)
        {
            var separator = Paint(color, "\u001b[90m", "│");
            Row(frame, row + 2, EntryCell(state, state.EntriesTop + row, left, color) + separator + LogCell(state, row, right, color));
        }
        var message = state.Prompt is { } prompt ? "/" + prompt : state.Message;
        Row(frame, height - 1, DisplayText.Fit(message, 0, width));
        Row(frame, height, Paint(color, "\u001b[90m", DisplayText.Fit(Help, 0, width)));
        if (state.Prompt is not null) frame.Append($"\u001b[{height - 1};{Math.Min(width, DisplayText.Width(message) + 1)}H\u001b[?25h");
        else frame.Append("\u001b[?25l");
        return frame.ToString();
    }

    private static string Header(ViewerState state)
    {
        var view = state.View;
        var log = state.Entry.LogPath is { } path ? Path.GetRelativePath(state.JobRoot, path) : "(no log)";
        var position = view is null ? "" : view.Known == 0 ? "  empty" :
            $"  line {state.Cursor + 1:N0} of {(view.Complete ? "" : "≥")}{view.Known:N0}";
        var stage = state.Stage is null ? "all" : state.Stage["stage.".Length..];
        return $" {state.JobId} ({state.JobStatus})  {log}{position}  level: {LevelName(state.Level)}  stage: {stage}  "
            + $"follow: {(state.Follow ? "on" : "off")}";
    }

    public static string LevelName(LevelFilter level) => level switch
    {
        LevelFilter.Info => "info+",
        LevelFilter.Warning => "warning+",
        LevelFilter.Error => "error",
        _ => "all",
    };

    private static string EntryCell(ViewerState state, int index, int width, bool color)
    {
        if (index >= state.Entries.Count) return new string(' ', width);
        var entry = state.Entries[index];
        var marker = entry.Status.Length == 0 ? " " : "●";
        var text = Pad(DisplayText.Fit(entry.Label, 0, width - 3), width - 3);
        var statusColor = entry.Status switch
        {
            "success" or "up_to_date" or "cached" => "\u001b[32m",
            "failed" => "\u001b[31m",
            "running" => "\u001b[34m",
            "skipped" or "failed (optional)" => "\u001b[33m",
            _ => "\u001b[90m",
        };
        var selected = index == state.Selected;
        var style = selected ? (state.RightPane ? "\u001b[1m\u001b[4m" : Inverse) : "";
        return (selected ? ">" : " ") + Paint(color, statusColor, marker) + " " + style + text + Reset;
    }

    private static string LogCell(ViewerState state, int row, int width, bool color)
    {
        var view = state.View;
        var index = state.Top + row;
        if (view is null || !view.Has(index)) return row == 0 && view is null ? "(this stage has no stage.log yet)" : "";
        var line = view.Text(index);
        var text = Pad(DisplayText.Fit(line, state.Shift, width), width);
        if (index == state.Cursor && state.RightPane) return Inverse + text + Reset;
        var level = LineLevel.Of(line);
        return level switch
        {
            >= 4 => Paint(color, "\u001b[31m", text),
            3 => Paint(color, "\u001b[33m", text),
            >= 0 and <= 1 => Paint(color, "\u001b[90m", text),
            _ => text,
        };
    }

    private static string Paint(bool color, string code, string text) => color ? code + text + Reset : text;

    private static string Pad(string text, int width) => text + new string(' ', Math.Max(0, width - DisplayText.Width(text)));

    private static void Row(StringBuilder frame, int row, string text) => frame.Append($"\u001b[{row};1H").Append(text).Append("\u001b[0m\u001b[K");
}
