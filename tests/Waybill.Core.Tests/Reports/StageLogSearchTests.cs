using System.Text;
using Waybill.Core.Manifests;
using Waybill.Core.Reports;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Reports;

/// <summary>Each recorded problem finds its own line in the run's part of stage.log.</summary>
public sealed class StageLogSearchTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 12, 5, 6, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Ten_thousand_warnings_over_an_8_MiB_log_each_find_their_own_line()
    {
        // Parsed once and indexed by message; a scan of every line per problem did not finish on this log.
        // 10,000 warnings among 60,000 info lines of ~140 bytes: about 8 MiB (the tail the report reads).
        var log = new StringBuilder();
        log.Append("[2026-12-05 06:00:00] [stage.a] [INFO] stage 01_a attempt 1, run r1\n");
        var manifest = Manifest();
        // The same message twice takes two lines, in order; a message cut short finds the line it starts (first in time:
        // the excerpt budget runs out long before the 10,000th).
        log.Append("[2026-12-05 06:00:01] [stage.a] [WARNING] again\n[2026-12-05 06:00:01] [stage.a] [WARNING] again\n");
        log.Append("[2026-12-05 06:00:02] [stage.a] [ERROR] it failed: disk full\n");
        manifest.Warnings.Add(new ProblemRecord { Timestamp = At.AddSeconds(-3), Message = "again" });
        manifest.Warnings.Add(new ProblemRecord { Timestamp = At.AddSeconds(-2), Message = "again" });
        manifest.Errors.Add(new ProblemRecord { Timestamp = At.AddSeconds(-1), Message = "it failed" });
        for (var i = 0; i < 10_000; i++)
        {
            for (var j = 0; j < 6; j++)
                log.Append("[2026-12-05 06:00:00] [stage.a] [INFO] working through item ").Append(i).Append(' ', 60).Append('\n');
            log.Append("[2026-12-05 06:00:00] [stage.a] [WARNING] item ").Append(i).Append(" looked odd\n");
            manifest.Warnings.Add(new ProblemRecord { Timestamp = At.AddMilliseconds(i), Message = $"item {i} looked odd" });
        }
        var path = _temp.Write("stage.log", log.ToString());
        var problems = new List<ReportProblem>();

        StageLogSearch.Attach(path, "01_a/stage.log", manifest, problems, new ExcerptBudget());

        Assert.Equal(10_003, problems.Count);
        var lines = File.ReadAllLines(path);
        var hits = problems.Where(p => p.Excerpt is not null)
            .Select(p => (p.Message, Line: lines[p.Excerpt!.FirstLine - 1 + p.Excerpt.Hit])).ToList();
        Assert.NotEmpty(hits);
        Assert.All(hits, h => Assert.Contains(h.Message, h.Line, StringComparison.Ordinal));
        var again = problems.Where(p => p.Message == "again").Select(p => p.Excerpt!.FirstLine + p.Excerpt.Hit).ToList();
        Assert.Equal(2, again.Distinct().Count());
        Assert.True(again[0] < again[1]);
        var failed = problems.Single(p => p.IsError).Excerpt!;
        Assert.EndsWith("it failed: disk full", failed.Lines[failed.Hit], StringComparison.Ordinal);
    }

    private static StageManifest Manifest() => new()
    {
        Stage = "a", StageId = "01_a", JobId = "j", RunId = "r1", Kind = "command", Host = "h", WaybillVersion = "1",
    };
}
