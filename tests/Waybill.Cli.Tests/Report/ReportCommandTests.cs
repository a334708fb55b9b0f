using Xunit;

namespace Waybill.Cli.Tests.Report;

/// <summary><c>waybill report</c> on real jobs: what the file holds, and clear errors for a wrong job or an unwritable file.</summary>
public sealed class ReportCommandTests(ReportJobsFixture jobs) : IClassFixture<ReportJobsFixture>
{
    [Fact]
    public async Task The_report_is_one_file_that_embeds_everything_and_links_to_nothing_outside()
    {
        var html = await File.ReadAllTextAsync(jobs.MixedReport);

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<script src", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("url(http", html);
        Assert.Contains("<svg class=\"lineage\"", html); // the lineage graph, drawn by the lineage renderer
        Assert.Contains("<title>Run report: job mixed</title>", html);
    }

    [Fact]
    public void Stages_that_ran_at_once_get_their_own_lanes_and_fan_out_items_are_grouped()
    {
        var data = ReportJobsFixture.Data(File.ReadAllText(jobs.MixedReport));

        var slow = ReportJobsFixture.Stage(data, "01_slow");
        var also = ReportJobsFixture.Stage(data, "02_also");
        Assert.True(slow["s"]!.GetValue<double>() < also["e"]!.GetValue<double>() && also["s"]!.GetValue<double>() < slow["e"]!.GetValue<double>(),
            "the two sleeping stages overlap in time");
        Assert.NotEqual(slow["lane"]!.GetValue<int>(), also["lane"]!.GetValue<int>());
        Assert.Equal(2, data["job"]!["lanes"]!.GetValue<int>());
        Assert.Equal(2, data["job"]!["maxParallel"]!.GetValue<int>());
        var group = Assert.Single(data["groups"]!.AsArray());
        Assert.Equal("03_items", group!["id"]!.GetValue<string>());
        var items = group["items"]!.AsArray()
            .Select(i => data["stages"]![i!.GetValue<int>()]!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal);
        Assert.Equal(["03_items[one]", "03_items[three]", "03_items[two]"], items);
        Assert.All(data["stages"]!.AsArray(), s => Assert.True(s!["lane"]!.GetValue<int>() >= 0, $"{s["id"]} has a bar"));
    }

    [Fact]
    public void An_error_and_a_warning_link_to_their_lines_of_the_stage_log_embedded_in_the_page()
    {
        var data = ReportJobsFixture.Data(File.ReadAllText(jobs.MixedReport));

        var broken = ReportJobsFixture.Stage(data, "04_break");
        Assert.Equal("failed", broken["status"]!.GetValue<string>());
        var error = Assert.Single(broken["problems"]!.AsArray())!;
        Assert.True(error["err"]!.GetValue<bool>());
        Assert.Equal("command exited with code 3: disk on fire", error["msg"]!.GetValue<string>());
        var excerpt = data["logs"]![error["log"]!.GetValue<int>()]!;
        Assert.Equal("04_break/stage.log", excerpt["path"]!.GetValue<string>());
        var lines = File.ReadAllLines(jobs.Temp.Combine("out", "mixed", "04_break", "stage.log"));
        var hit = excerpt["first"]!.GetValue<int>() + excerpt["hit"]!.GetValue<int>();
        Assert.EndsWith("[ERROR] command exited with code 3: disk on fire", lines[hit - 1]); // the line number is the file's
        Assert.Equal(lines[hit - 1], excerpt["lines"]![excerpt["hit"]!.GetValue<int>()]!.GetValue<string>());

        var warning = Assert.Single(ReportJobsFixture.Stage(data, "02_also")["problems"]!.AsArray())!;
        Assert.Null(warning["err"]);
        Assert.Equal("only 3 words " + ReportJobsFixture.Hostile, warning["msg"]!.GetValue<string>());
        Assert.Contains("[WARNING] only 3 words", data["logs"]![warning["log"]!.GetValue<int>()]!["lines"]!.ToJsonString());
    }

    [Fact]
    public void Recorded_text_never_becomes_markup_in_the_file()
    {
        var html = File.ReadAllText(jobs.MixedReport);

        Assert.DoesNotContain("<script>window.pwned", html);
        Assert.DoesNotContain("<img", html);
        // Only the data island's end is followed by a script element: the page's own.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "</script>\\s*<script>\\n"));
    }

    [Fact]
    public void A_rerun_shows_why_each_stage_ran_and_the_figures_of_the_previous_run()
    {
        var data = ReportJobsFixture.Data(File.ReadAllText(jobs.AgainReport));

        var previous = data["previous"]!;
        Assert.Equal("success", previous["status"]!.GetValue<string>());
        var greet = ReportJobsFixture.Stage(data, "05_greet");
        Assert.Null(greet["ran"]); // it ran in this run
        Assert.Contains(greet["reasons"]!.AsArray(), r => r!.GetValue<string>().Contains("config", StringComparison.Ordinal));
        Assert.Equal("success", greet["prev"]!["status"]!.GetValue<string>());
        Assert.Equal("bye", greet["config"]!["greeting"]!.GetValue<string>());
        var broken = ReportJobsFixture.Stage(data, "04_break");
        Assert.Contains(broken["reasons"]!.AsArray(), r => r!.GetValue<string>().StartsWith("previous attempt failed", StringComparison.Ordinal));
        Assert.Equal("failed", broken["prev"]!["status"]!.GetValue<string>());
        var slow = ReportJobsFixture.Stage(data, "01_slow");
        Assert.False(slow["ran"]!.GetValue<bool>()); // up to date: no bar in this run's timeline
        Assert.Equal(-1, slow["lane"]!.GetValue<int>());
        Assert.Equal(["up to date"], slow["reasons"]!.AsArray().Select(r => r!.GetValue<string>()));

        var first = ReportJobsFixture.Data(File.ReadAllText(jobs.MixedReport));
        Assert.Null(first["previous"]);
        Assert.Contains("first recorded run", first["previousNote"]!.GetValue<string>());
    }

    [Fact]
    public void The_config_section_has_the_pipeline_as_run_and_the_overrides()
    {
        var data = ReportJobsFixture.Data(File.ReadAllText(jobs.AgainReport));

        Assert.Equal(["greeting=bye"], data["config"]!["overrides"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Contains("id: 05_greet", data["config"]!["snapshot"]!.GetValue<string>());
        Assert.Equal("no samples", ReportJobsFixture.Stage(data, "05_greet")["curvesNote"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_job_is_refused_with_a_clear_error()
    {
        var result = await jobs.Cli("report", "no-such-job", "--output", jobs.Temp.Combine("reports", "none.html"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: job 'no-such-job' not found", result.Stderr);
        Assert.False(File.Exists(jobs.Temp.Combine("reports", "none.html")));
    }

    [Fact]
    public async Task An_output_path_that_cannot_be_written_is_refused_with_a_clear_error()
    {
        var blocker = jobs.Temp.Write(Path.Combine("reports", "a-file"), "not a folder");

        var result = await jobs.Cli("report", "mixed", "--output", Path.Combine(blocker, "report.html"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("error: cannot write the report to", result.Stderr);
        Assert.Contains("hint: give --output a file in a folder you can write to", result.Stderr);
    }

    [Fact]
    public async Task A_dash_writes_the_page_to_standard_output()
    {
        var result = await jobs.Cli("report", "mixed", "--output", "-");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("<!DOCTYPE html>", result.Stdout);
        Assert.EndsWith("</html>\n", result.Stdout);
    }
}
