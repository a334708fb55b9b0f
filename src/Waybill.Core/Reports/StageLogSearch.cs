using System.Text;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;

namespace Waybill.Core.Reports;

/// <summary>
/// Finds the line of a stage.log on which each recorded warning and error was logged, and cuts an excerpt around it.
/// stage.log is appended to by every run: the search starts at the run's own first line (<c>stage ID attempt N, run
/// R</c>). Only the last <see cref="ReportLimits.LogTailBytes"/> of a larger log are read, and that is said.
/// </summary>
internal static class StageLogSearch
{
    public static void Attach(string logPath, string shownPath, StageManifest manifest, List<ReportProblem> into, ExcerptBudget budget)
    {
        var problems = manifest.Errors.Select(p => (IsError: true, Record: p))
            .Concat(manifest.Warnings.Select(p => (IsError: false, Record: p)))
            .OrderBy(p => p.Record.Timestamp).ToList();
        if (problems.Count == 0) return;
        var (lines, countedFrom) = File.Exists(logPath) ? ReadTail(logPath) : ([], null);
        var start = RunStart(lines, $"stage {manifest.StageId} attempt {manifest.Attempt}, run {manifest.RunId}");
        var events = new StageLogEvents(lines, start);
        foreach (var (isError, record) in problems)
        {
            var exception = record.StackTrace ?? (record.ExceptionType is null ? null : $"{record.ExceptionType}: {record.ExceptionMessage}");
            var hit = events.Take(isError, record.Message);
            LogExcerpt? excerpt = null;
            if (hit >= 0)
            {
                var (from, to) = Around(lines, hit);
                var cut = lines.Skip(from).Take(to - from).Select(Cut).ToList();
                if (budget.TryTake(cut.Sum(l => l.Length), out var id))
                {
                    excerpt = new LogExcerpt
                    {
                        Id = id, LogPath = shownPath, FirstLine = from + 1, Hit = hit - from, Lines = cut, CountedFrom = countedFrom,
                    };
                }
            }
            into.Add(new ReportProblem(isError, record.Timestamp, record.Message, exception, excerpt));
        }
    }

    private static (List<string> Lines, string? CountedFrom) ReadTail(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        string? countedFrom = null;
        if (stream.Length > ReportLimits.LogTailBytes)
        {
            stream.Seek(-ReportLimits.LogTailBytes, SeekOrigin.End);
            // The first line read is a part of a line: it is dropped.
            while (stream.ReadByte() is not (-1 or '\n'))
            {
            }
            countedFrom = $"the last {ReportLimits.LogTailBytes >> 20} MiB of the log ({stream.Length:N0} bytes in all)";
        }
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return (lines, countedFrom);
    }

    private static int RunStart(List<string> lines, string marker)
    {
        for (var i = lines.Count - 1; i >= 0; i--)
            if (lines[i].Contains(marker, StringComparison.Ordinal)) return i;
        return 0;
    }

    /// <summary>A few lines before the hit; after it, its exception text (indented lines) and a little more.</summary>
    private static (int From, int To) Around(List<string> lines, int hit)
    {
        var from = Math.Max(0, hit - ReportLimits.LinesBefore);
        var to = hit + 1;
        while (to < lines.Count && to - hit <= ReportLimits.LinesAfter && !LogLine.TryParse(lines[to], out _)) to++;
        return (from, Math.Min(lines.Count, Math.Max(to, hit + 3)));
    }

    private static string Cut(string line) =>
        line.Length <= ReportLimits.LineChars
            ? line
            : $"{line[..ReportLimits.LineChars]}… ({line.Length - ReportLimits.LineChars:N0} more characters)";
}
