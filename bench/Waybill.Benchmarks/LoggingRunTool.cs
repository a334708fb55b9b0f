using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Secrets;

namespace Waybill.Benchmarks;

/// <summary>
/// <c>logging-run FOLDER [LINES] [ROUNDS]</c>: one stage logs LINES lines (half DEBUG, half INFO) through RunLogging
/// into a fresh job folder, as a whole run would; the best rate of ROUNDS is printed after every file's lines are
/// counted. Unlike the BenchmarkDotNet job, each round starts from empty files that are removed afterwards.
/// </summary>
internal static class LoggingRunTool
{
    public static int Run(string[] args)
    {
        var folder = args.Length > 0 ? args[0] : "/dev/shm/waybill-bench";
        var lines = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        var best = 0.0;
        for (var round = 0; round < rounds; round++)
        {
            var layout = new JobLayout(Path.Combine(folder, $"logging-run-{Environment.ProcessId}-{round}"));
            string pipelineLog;
            var clock = Stopwatch.StartNew();
            using (var logging = new RunLogging(layout, new Redactor(), TimeProvider.System, null, LogLevel.Information, legacyStageLogs: false))
            {
                pipelineLog = logging.PipelineLogPath;
                using var stage = logging.OpenStage("03_transcribe", "transcribe");
                var log = stage.Logger;
                for (var i = 0; i < lines; i++)
                {
                    if ((i & 1) == 0) log.LogDebug("processing chunk {Index} of {Total}", i, lines);
                    else log.LogInformation("processing chunk {Index} of {Total}", i, lines);
                }
            }
            best = Math.Max(best, lines / clock.Elapsed.TotalSeconds);
            var counts = (File.ReadLines(layout.StageLogPath("03_transcribe")).Count(), File.ReadLines(pipelineLog).Count(), File.ReadLines(layout.EventsPath).Count());
            Directory.Delete(layout.Root, recursive: true);
            if (counts != (lines, lines / 2, lines))
            {
                Console.Error.WriteLine($"lines lost: stage.log {counts.Item1}, pipeline log {counts.Item2}, events {counts.Item3}");
                return 1;
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{folder}: best {best:N0} lines/s over {rounds} rounds of {lines:N0} lines; no line lost"));
        return 0;
    }
}
