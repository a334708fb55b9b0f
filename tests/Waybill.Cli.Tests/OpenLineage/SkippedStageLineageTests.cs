using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.OpenLineage;

/// <summary>
/// A stage the run skips (disabled, after an upstream failure) gets one START and one COMPLETE whose waybill_stage facet
/// says skipped and why; a stage found up to date gets no events, and the pipeline run's end counts it.
/// </summary>
public sealed class SkippedStageLineageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Pipeline = """
        name: skips
        stages:
          - id: 01_make
            run: echo a > {out.a}
            outputs: { a: a.txt }
          - id: 02_separate
            uses: media.source-separation
            inputs: { audio: 01_make.a }
            outputs: { vocals: vocals.wav }
            config: { backend: none }
          - id: 03_fail
            run: exit 4
          - id: 04_after
            after: 03_fail
            run: echo never
        """;

    [Fact]
    public async Task Disabled_and_after_a_failure_emit_START_and_COMPLETE_and_up_to_date_stages_are_only_counted()
    {
        _temp.Write("waybill.yaml", Pipeline);
        var first = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "1");
        var events = Path.Combine(_temp.Path, "out", "j", "logs", "openlineage.jsonl");
        var firstRun = File.ReadAllLines(events).Select(l => JsonNode.Parse(l)!).ToList();
        // The second run finds 01_make (and the disabled 02_separate) up to date.
        var second = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "1");
        var secondRun = File.ReadAllLines(events).Skip(firstRun.Count).Select(l => JsonNode.Parse(l)!).ToList();

        Assert.Equal(1, first.ExitCode);
        Assert.Equal(1, second.ExitCode);
        Assert.Equal("disabled", SkippedBecause(firstRun, "02_separate"));
        Assert.Contains("03_fail", SkippedBecause(firstRun, "04_after"));
        Assert.Contains("03_fail", SkippedBecause(secondRun, "04_after"));
        // Up to date: no run of this one. The first run's events for them stand; the second run's end counts them.
        Assert.DoesNotContain(secondRun, e => (string?)e["job"]!["name"] is "skips.01_make" or "skips.02_separate");
        Assert.Equal(["START", "COMPLETE"], firstRun.Where(e => (string?)e["job"]!["name"] == "skips.01_make").Select(e => (string?)e["eventType"]));
        var end = secondRun.Last()["run"]!["facets"]!["waybill_job"]!;
        Assert.Equal(2, (int?)end["up_to_date"]);
        Assert.Null(firstRun.Last()["run"]!["facets"]!["waybill_job"]!["up_to_date"]);
        // Counted once: not also as skipped stages with events (04_after is the one skipped stage that has them).
        Assert.Equal(1, (int?)end["stages"]!["skipped"]);
    }

    /// <summary>Asserts the stage's events in one run are START then COMPLETE of one run id, status skipped; returns why.</summary>
    private static string SkippedBecause(List<JsonNode> run, string stage)
    {
        var own = run.Where(e => (string?)e["job"]!["name"] == "skips." + stage).ToList();
        Assert.Equal(["START", "COMPLETE"], own.Select(e => (string?)e["eventType"]));
        Assert.Equal((string?)own[0]["run"]!["runId"], (string?)own[1]["run"]!["runId"]);
        var facet = own[1]["run"]!["facets"]!["waybill_stage"]!;
        Assert.Equal("skipped", (string?)facet["status"]);
        return (string?)facet["status_reason"] ?? "";
    }
}
