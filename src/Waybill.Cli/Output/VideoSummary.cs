using System.Globalization;
using Spectre.Console;
using Waybill.Core.Execution;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;

namespace Waybill.Cli.Output;

/// <summary>
/// After a season (<c>waybill subtitle</c> over several videos): one row per video instead of one per stage run, and
/// each video's subtitle files and muxed video. A stage run belongs to the video whose item key it carries.
/// </summary>
public static class VideoSummary
{
    /// <summary>One video's stage runs, summed up.</summary>
    private sealed record Row(string Key, string File, string Status, int Done, int Total, int Tracks, double Seconds, int Errors, string Reason)
    {
        /// <summary>The last column: the file, and for a failed video the stage and reason.</summary>
        public string Said => Reason.Length == 0 ? File : File + ": " + Reason;
    }

    /// <param name="optional">Optional stage runs: their failure does not fail the video.</param>
    /// <param name="videos">The videos in the order given: the rows' order.</param>
    public static void PrintTable(TextWriter output, RunResult result, IReadOnlySet<string> optional, IReadOnlyList<string> videos)
    {
        var rows = Videos(result, videos).Select(v => RowOf(v.Key, v.Stages, optional)).ToList();
        if (!Terminal.IsInteractive)
        {
            var keyWidth = Math.Max(5, rows.Max(r => r.Key.Length));
            output.WriteLine($"{"VIDEO".PadRight(keyWidth)}  {"STATUS",-9}  {"STAGES",6}  {"TRACKS",6}  {"DURATION",9}  {"ERR",3}  FILE / REASON");
            foreach (var row in rows)
                output.WriteLine($"{row.Key.PadRight(keyWidth)}  {row.Status,-9}  {$"{row.Done}/{row.Total}",6}  {row.Tracks,6}  "
                    + $"{Seconds(row.Seconds),9}  {row.Errors,3}  {Shown(row.Said)}");
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(result.JobId));
            table.AddColumns("Video", "Status", "Stages", "Tracks", "Duration", "Errors", "File / reason");
            foreach (var row in rows)
                table.AddRow(Markup.Escape(row.Key), Terminal.StatusMarkup(row.Status), $"{row.Done}/{row.Total}",
                    row.Tracks.ToString(CultureInfo.InvariantCulture), Seconds(row.Seconds), row.Errors == 0 ? "0" : $"[red]{row.Errors}[/]",
                    Markup.Escape(Shown(row.Said)));
            Terminal.Create(output).Write(table);
        }
        var failed = rows.Count(r => r.Status == "failed");
        output.WriteLine($"Videos:       {rows.Count - failed} of {rows.Count} subtitled" + (failed == 0 ? "" : $", {failed} failed"));
        foreach (var warning in result.Warnings) output.WriteLine($"Warning:      {Shown(warning)}");
    }

    /// <summary>Each video's subtitle files and muxed video (from its stages' manifests), or where to look when it failed.</summary>
    public static void PrintProducts(TextWriter output, RunResult result, IReadOnlyList<string> videos, Func<string, string> relative)
    {
        foreach (var (key, stages) in Videos(result, videos))
        {
            var files = stages.Where(Done).SelectMany(s => s.Outputs)
                .Where(f => f.Format is "srt" or "vtt" || f.Type == "video").ToList();
            var failed = stages.FirstOrDefault(s => s.Status == "failed");
            output.WriteLine(files.Count > 0 || failed is null ? $"Video {key}:"
                : $"Video {key}: no files; see {relative(new Core.Jobs.JobLayout(result.JobDir).StageLogPath(failed.StageId))}");
            foreach (var file in files)
                output.WriteLine($"  {(file.Type == "video" ? "Video:     " : "Subtitles: ")} {relative(Path.Combine(result.JobDir, file.Path))}");
        }
    }

    /// <summary>The stage runs of each video, in the order the videos were given; runs of no item come last, as "(job)".</summary>
    private static IEnumerable<(string Key, List<StageManifest> Stages)> Videos(RunResult result, IReadOnlyList<string> videos)
    {
        var order = videos.Select((path, index) => (path, index)).ToDictionary(p => p.path, p => p.index, StringComparer.Ordinal);
        return result.Stages.Select(s => s.Manifest)
            .GroupBy(m => m.Item?.Key ?? "(job)", StringComparer.Ordinal)
            .OrderBy(g => g.Select(m => m.Item?.Path).FirstOrDefault(p => p is not null) is { } path
                ? order.GetValueOrDefault(path, int.MaxValue) : int.MaxValue)
            .Select(g => (g.Key, g.ToList()));
    }

    private static Row RowOf(string key, List<StageManifest> stages, IReadOnlySet<string> optional)
    {
        var failed = stages.Where(s => s.Status == "failed" && !optional.Contains(s.StageId)).ToList();
        var status = failed.Count > 0 ? "failed" : stages.Any(s => s.Status == "cancelled") ? "cancelled" : "success";
        var reason = failed.FirstOrDefault() is { } first ? $"{first.StageId} {first.StatusReason}" : "";
        var file = stages.Select(s => s.Item?.Path).FirstOrDefault(p => p is not null) is { } path ? Path.GetFileName(path) : "";
        return new Row(key, file, status, stages.Count(Done), stages.Count,
            stages.Where(Done).SelectMany(s => s.Outputs).Count(o => o.Format == "srt"),
            stages.Sum(s => s.DurationSeconds), stages.Sum(s => s.Errors.Count), reason);
    }

    /// <summary>
    /// Done: it ran, was up to date (its outputs kept) or had nothing to do; not failed, nor left out because something
    /// before it failed.
    /// </summary>
    private static bool Done(StageManifest stage) => stage.Status switch
    {
        "success" => true,
        "skipped" => stage.StatusReason is not { } reason
            || !(reason.StartsWith("upstream failed", StringComparison.Ordinal) || reason.StartsWith("not run:", StringComparison.Ordinal)),
        _ => false,
    };

    private static string Shown(string text) => LogText.EscapeControls(text);

    private static string Seconds(double seconds) => seconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";
}
