using System.CommandLine;
using System.Text.RegularExpressions;
using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill logs</c>: the pipeline log or one stage.log, filtered by level and pattern, optionally followed.</summary>
internal static class LogsCommand
{
    private static readonly string[] Levels = ["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

    public static Command Create(TextWriter output, TextWriter error)
    {
        var job = CommonOptions.Job();
        var stage = new Argument<string?>("stage") { Description = "Stage id or name (e.g. 06_asr or asr); the pipeline log when omitted", Arity = ArgumentArity.ZeroOrOne };
        var outRoot = CommonOptions.Out();
        var level = new Option<string?>("--level", "-l") { Description = "Lowest level to show: DEBUG, INFO, WARNING, ERROR" };
        var grep = new Option<string?>("--grep", "-g") { Description = "Only lines matching this regular expression" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until the job finishes (or Ctrl-C)" };
        var command = new Command("logs", "Show a job's logs") { job, stage, outRoot, level, grep, follow };
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(error, async () =>
        {
            var layout = JobLocator.Find(parse.GetValue(job), parse.GetValue(outRoot)!);
            var path = LogPath(layout, parse.GetValue(stage));
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
            await Print(path, layout, minimum, pattern, parse.GetValue(follow), output, cancellationToken);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static string LogPath(JobLayout layout, string? stage)
    {
        if (stage is null)
            return layout.LatestPipelineLog() ?? throw new CliException($"job {layout.JobId} has no pipeline log in {layout.LogsDir}");
        var folder = Directory.Exists(layout.StageDir(stage)) ? stage
            : Directory.GetDirectories(layout.Root).Select(Path.GetFileName).FirstOrDefault(d => d is not null && d.Length > 3 && d.EndsWith("_" + stage, StringComparison.Ordinal) && char.IsAsciiDigit(d[0]));
        if (folder is null || !File.Exists(layout.StageLogPath(folder)))
        {
            var known = Directory.GetDirectories(layout.Root).Select(Path.GetFileName).Where(d => File.Exists(layout.StageLogPath(d!)));
            throw new CliException($"job {layout.JobId} has no stage '{stage}'", $"stages with logs: {string.Join(", ", known)}");
        }
        return layout.StageLogPath(folder);
    }

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
