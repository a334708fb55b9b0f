using System.CommandLine;
using System.Text.RegularExpressions;
using Waybill.Cli.Output;
using Waybill.Cli.Viewer;
using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline.FanOut;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill logs</c>: the pipeline log or one stage.log, filtered by level and pattern, optionally followed.</summary>
internal static class LogsCommand
{
    private static readonly string[] Levels = ["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

    public static Command Create(TextWriter output, TextWriter error)
    {
        var job = CommonOptions.Job();
        var stage = new Argument<string?>("stage")
        {
            Description = "Stage id or name (06_asr, asr), an item (06_asr[ep-01]), or a fan-out stage for all its items; "
                + "the pipeline log when omitted",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var outRoot = CommonOptions.Out();
        var level = new Option<string?>("--level", "-l") { Description = "Lowest level to show: DEBUG, INFO, WARNING, ERROR" };
        var grep = new Option<string?>("--grep", "-g") { Description = "Only lines matching this regular expression" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until the job finishes (or Ctrl-C)" };
        var tui = new Option<bool>("--tui") { Description = "Browse the logs full-screen: stages beside the selected log, search, filters, follow "
            + "(on a terminal; plain lines when piped)" };
        var command = new Command("logs", "Show a job's logs") { job, stage, outRoot, level, grep, follow, tui };
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(error, async () =>
        {
            var layout = JobLocator.Find(parse.GetValue(job), parse.GetValue(outRoot)!);
            if (parse.GetValue(tui) && Terminal.IsInteractive && !Console.IsInputRedirected)
            {
                var viewer = new LogViewer(layout, output, TimeProvider.System, Terminal.UseColor);
                await viewer.RunAsync(parse.GetValue(stage), ViewerLevel(parse.GetValue(level)), parse.GetValue(follow), cancellationToken);
                return ExitCodes.Success;
            }
            var paths = LogPaths(layout, parse.GetValue(stage));
            if (paths.Count > 1 && parse.GetValue(follow))
                throw new CliException($"--follow follows one log, and {parse.GetValue(stage)} stands for {paths.Count} items",
                    $"follow one item ({StageOf(layout, paths[0])}), or the pipeline log, whose lines name their item ([stage.NAME:KEY])");
            var minimum = MinimumLevel(parse.GetValue(level));
            Regex? pattern;
            try
            {
                pattern = parse.GetValue(grep) is { } g ? new Regex(g, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)) : null;
            }
            catch (ArgumentException e)
            {
                throw new CliException($"--grep pattern is not a valid regular expression: {e.Message}");
            }
            foreach (var path in paths)
            {
                // Items one after the other, each under its folder, as 'tail' shows several files; lines name their item too.
                if (paths.Count > 1) await output.WriteLineAsync($"==> {Path.GetRelativePath(layout.Root, path)} <==");
                await Print(path, layout, minimum, pattern, parse.GetValue(follow), output, cancellationToken);
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The pipeline log, one stage.log, or every item's stage.log of a fan-out stage named plainly.</summary>
    private static List<string> LogPaths(JobLayout layout, string? stage)
    {
        if (stage is null)
            return [layout.LatestPipelineLog() ?? throw new CliException($"job {layout.JobId} has no pipeline log in {layout.LogsDir}")];
        var withLogs = JobStages.Of(layout).Where(s => File.Exists(layout.StageLogPath(s.Id))).Select(s => s.Id).ToList();
        var match = JobStages.Resolve(layout, stage, $"stages with logs: {JobStages.Few(withLogs)}");
        var paths = match.Ids.Select(layout.StageLogPath).Where(File.Exists).ToList();
        return paths.Count > 0 ? paths
            : throw new CliException($"{JobStages.Few(match.Ids, 3)} has no stage.log yet: it has not started",
                "'waybill status' shows where the job is");
    }

    /// <summary><c>06_asr[ep-01]</c> from <c>06_asr/ep-01/stage.log</c>.</summary>
    private static string StageOf(JobLayout layout, string log)
    {
        var folder = Path.GetRelativePath(layout.Root, Path.GetDirectoryName(log)!).Split(Path.DirectorySeparatorChar);
        return folder.Length == 2 ? ItemKeys.RunId(folder[0], folder[1]) : folder[0];
    }

    private static LevelFilter ViewerLevel(string? level) => MinimumLevel(level) switch
    {
        >= 4 => LevelFilter.Error,
        3 => LevelFilter.Warning,
        2 => LevelFilter.Info,
        _ => LevelFilter.All,
    };

    private static int MinimumLevel(string? level)
    {
        if (level is null) return 0;
        var normalized = level.ToUpperInvariant() switch { "WARN" => "WARNING", "INFORMATION" => "INFO", var l => l };
        var index = Array.IndexOf(Levels, normalized);
        return index >= 0 ? index : throw new CliException($"unknown level '{level}'", "use DEBUG, INFO, WARNING or ERROR");
    }

    private static async Task Print(string path, JobLayout layout, int minimum, Regex? pattern, bool follow, TextWriter output, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var showing = true; // continuation lines (exception text) follow their event's verdict
        var pending = "";
        while (true)
        {
            // Decide before reading, so lines written just before the job finished are still printed.
            var finished = !follow || JobFinished(layout);
            // Only whole lines are printed; a line still being written waits for its newline.
            var text = pending + await reader.ReadToEndAsync(cancellationToken);
            var lines = text.Split('\n');
            pending = lines[^1];
            foreach (var line in lines[..^1])
                if (Show(line)) await output.WriteLineAsync(Printable(line));
            if (finished)
            {
                if (pending.Length > 0 && Show(pending)) await output.WriteLineAsync(Printable(pending));
                return;
            }
            await Task.Delay(200, cancellationToken);
        }

        bool Show(string line)
        {
            if (LogLine.TryParse(line, out var parsed)) showing = Array.IndexOf(Levels, LogLineFormat.LevelName(parsed!.Level)) >= minimum;
            return showing && (pattern is null || pattern.IsMatch(line));
        }
    }

    /// <summary>
    /// Lines as they are in the file, with any control character escaped, on a terminal and in a pipe alike: logs written
    /// today hold none (messages are escaped), but older ones may hold a command's raw terminal escapes or NUL bytes.
    /// </summary>
    private static string Printable(string line) => LogText.EscapeControls(line.TrimEnd('\r'));

    private static bool JobFinished(JobLayout layout)
    {
        try
        {
            return File.Exists(layout.JobManifestPath) && JobJournalFile.ReadJob(layout).Status != "running";
        }
        catch (ManifestFormatException)
        {
            return false;
        }
    }
}
