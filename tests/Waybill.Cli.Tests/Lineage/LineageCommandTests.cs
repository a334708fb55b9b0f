using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace Waybill.Cli.Tests.Lineage;

/// <summary><c>waybill lineage</c> on real jobs: whole job, around a file or stage, every format, links between jobs, bad input.</summary>
public sealed class LineageCommandTests(LineageJobsFixture jobs) : IClassFixture<LineageJobsFixture>
{
    private string Checksum(string stage, int output = 0) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(jobs.First, stage, "manifest.json")))!["outputs"]![output]!["checksum"]!.GetValue<string>()[..19];

    [Fact]
    public async Task The_whole_job_lists_every_stage_with_what_it_read_and_wrote()
    {
        var result = await jobs.Lineage("first");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.StartsWith("job first — pipeline words — failed — 5 stages, 5 files\n", result.Stdout);
        Assert.Contains($"\n01_make (success, ", result.Stdout);
        Assert.Contains($"├─ ← seed: {jobs.Temp.Combine("seed.txt")}  xxh128:", result.Stdout);
        Assert.Contains($"└─ → text: 01_make/text.txt  {Checksum("01_make")}  26 B\n", result.Stdout);
        Assert.Matches(@"\n04_check \(failed: command exited with code 4: too short, [0-9.]+s\)\n", result.Stdout);
        Assert.Matches(@"└─ → read by job second, stage 01_quote \(success, [0-9.]+s\)  \(same checksum as its input loud\)", result.Stdout);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task A_file_shows_what_it_came_from_above_what_came_of_it()
    {
        var result = await jobs.Lineage("first", "02_shout/loud.txt");

        Assert.True(result.ExitCode == 0, result.All);
        var text = result.Stdout;
        Assert.StartsWith($"02_shout/loud.txt  {Checksum("02_shout")}  26 B  (job first)\nupstream:\n", text);
        Assert.Matches(@"\n  └─ ← 02_shout \(success, [0-9.]+s\)\n", text);
        Assert.Contains($"\n     └─ ← 01_make/text.txt  {Checksum("01_make")}  26 B  (input text)\n", text);
        Assert.Contains($"└─ ← {jobs.Temp.Combine("seed.txt")}  xxh128:", text);
        Assert.Matches(@"downstream:\n  ├─ → 03_count \(success, [0-9.]+s\)  \(input loud\)\n", text);
        Assert.Matches(@"\n  └─ → job second, stage 01_quote \(success", text);
        Assert.True(text.IndexOf("upstream:", StringComparison.Ordinal) < text.IndexOf("downstream:", StringComparison.Ordinal));
        Assert.DoesNotContain("05_side", text);
    }

    [Fact]
    public async Task A_stage_by_name_one_direction_and_a_limited_depth()
    {
        var upstreamOnly = await jobs.Lineage("first", "shout", "--upstream", "--depth", "0");

        Assert.True(upstreamOnly.ExitCode == 0, upstreamOnly.All);
        Assert.StartsWith("02_shout (success, ", upstreamOnly.Stdout);
        Assert.Contains("└─ ← 01_make/text.txt", upstreamOnly.Stdout);
        Assert.DoesNotContain("← 01_make (", upstreamOnly.Stdout); // one stage further than depth 0
        Assert.DoesNotContain("downstream:", upstreamOnly.Stdout);

        var downstreamOnly = await jobs.Lineage("first", "02_shout", "--downstream", "--ascii");
        Assert.DoesNotContain("upstream:", downstreamOnly.Stdout);
        Assert.Contains("`- -> 04_check (failed", downstreamOnly.Stdout);
        Assert.All(downstreamOnly.Stdout, c => Assert.True(c < 128, $"non-ASCII U+{(int)c:X4} with --ascii"));
    }

    [Fact]
    public async Task A_file_by_absolute_path_or_by_a_path_from_the_current_folder()
    {
        var absolute = await jobs.Lineage("first", Path.Combine(jobs.First, "03_count", "count.txt"), "--upstream", "--depth", "1");
        Assert.True(absolute.ExitCode == 0, absolute.All);
        Assert.StartsWith("03_count/count.txt  ", absolute.Stdout);

        var fromStageFolder = await Support.CliProcess.RunAsync(Path.Combine(jobs.First, "03_count"), "lineage", jobs.First, "count.txt", "--upstream", "--depth", "1");
        Assert.True(fromStageFolder.ExitCode == 0, fromStageFolder.All);
        Assert.Equal(absolute.Stdout, fromStageFolder.Stdout);

        var external = await jobs.Lineage("first", "seed.txt", "--downstream", "--depth", "1");
        Assert.True(external.ExitCode == 0, external.All);
        Assert.Contains("└─ → 01_make (success", external.Stdout);
    }

    [Fact]
    public async Task An_unknown_file_or_stage_exits_2_and_names_close_matches()
    {
        var result = await jobs.Lineage("first", "shuot");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: job first has no file or stage 'shuot'", result.Stderr);
        Assert.Contains("hint: did you mean: 02_shout", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);

        var file = await jobs.Lineage("first", "02_shout/lod.txt");
        Assert.Equal(2, file.ExitCode);
        Assert.Contains("02_shout/loud.txt", file.Stderr);
    }

    [Fact]
    public async Task An_external_input_made_by_another_job_links_back_to_that_job()
    {
        var result = await jobs.Lineage("second");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains($"├─ ← loud: {Path.Combine(jobs.First, "02_shout", "loud.txt")}  {Checksum("02_shout")}  26 B  [external]\n", result.Stdout);
        Assert.Matches(@"│  └─ ← from job first, stage 02_shout \(success, [0-9.]+s\)  \(same checksum as its output 02_shout/loud.txt\)\n", result.Stdout);

        var upstream = await jobs.Lineage("second", "01_quote", "--upstream");
        Assert.Contains("← job first, stage 02_shout (success", upstream.Stdout);
    }

    [Fact]
    public async Task Jobs_in_other_folders_are_linked_when_searched()
    {
        var beside = await jobs.Lineage("first", "02_shout/loud.txt", "--downstream");
        Assert.DoesNotContain("job third", beside.Stdout);

        var searched = await jobs.Lineage("first", "02_shout/loud.txt", "--downstream", "--search", jobs.Elsewhere);
        Assert.True(searched.ExitCode == 0, searched.All);
        Assert.Contains("→ job second, stage 01_quote", searched.Stdout);
        Assert.Contains("→ job third, stage 01_quote", searched.Stdout);
    }

    [Fact]
    public async Task A_damaged_neighbour_is_a_warning_and_the_lineage_is_still_shown()
    {
        var broken = jobs.Temp.Combine("elsewhere", "broken");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "manifest.json"), "{ \"job_id\": ");
        try
        {
            var result = await jobs.Lineage("second", "--search", jobs.Elsewhere);

            Assert.True(result.ExitCode == 0, result.All);
            Assert.Contains($"warning: skipped job folder {broken}: its manifest.json cannot be read", result.Stderr);
            Assert.Contains("← from job first, stage 02_shout", result.Stdout);
        }
        finally
        {
            Directory.Delete(broken, recursive: true);
        }
    }

    [Fact]
    public async Task Dot_and_mermaid_go_to_standard_output()
    {
        var dot = await jobs.Lineage("first", "--format", "dot");
        Assert.True(dot.ExitCode == 0, dot.All);
        Assert.StartsWith("digraph \"lineage first\" {\n", dot.Stdout);
        Assert.Contains("  \"stage:02_shout\" -> \"file:02_shout/loud.txt\" [label=\"loud\"];\n", dot.Stdout);
        Assert.Contains("  \"file:02_shout/loud.txt\" -> \"job:second/stage:01_quote\" [style=dashed", dot.Stdout);
        Assert.Equal(11, Regex.Count(dot.Stdout, "^  \"[^\"]+\" \\[shape=box", RegexOptions.Multiline));

        var mermaid = await jobs.Lineage("first", "04_check", "--upstream", "--format", "mermaid");
        Assert.True(mermaid.ExitCode == 0, mermaid.All);
        Assert.StartsWith("flowchart LR\n", mermaid.Stdout);
        Assert.Matches("\n  n\\d+\\(\"04_check<br/>failed: command exited with code 4: too short, [0-9.]+s\"\\)\n", mermaid.Stdout);
        Assert.DoesNotContain("05_side", mermaid.Stdout);
    }

    [Fact]
    public async Task Svg_and_html_are_written_to_a_file_when_asked()
    {
        var svgPath = jobs.Temp.Combine("reports", "first.svg");
        var svg = await jobs.Lineage("first", "--format", "svg", "--output", svgPath);
        Assert.True(svg.ExitCode == 0, svg.All);
        Assert.Equal($"wrote {svgPath}\n", svg.Stdout);
        var document = XDocument.Load(svgPath);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var keys = document.Descendants(ns + "g").Select(g => (string?)g.Attribute("data-key")).Where(k => k is not null).ToList();
        Assert.Equal(11, keys.Count);
        Assert.Contains("job:second/stage:01_quote", keys);
        Assert.Contains("status-failed", (string)document.Descendants(ns + "g").Single(g => (string?)g.Attribute("data-key") == "stage:04_check").Attribute("class")!);

        var htmlPath = jobs.Temp.Combine("reports", "first.html");
        var html = await jobs.Lineage("first", "--format", "html", "--output", htmlPath);
        Assert.True(html.ExitCode == 0, html.All);
        var page = File.ReadAllText(htmlPath);
        Assert.StartsWith("<!DOCTYPE html>", page);
        Assert.DoesNotContain("http://", page);
        Assert.DoesNotContain("https://", page);
    }

    [Fact]
    public async Task Bad_options_are_usage_errors()
    {
        var format = await jobs.Lineage("first", "--format", "png");
        Assert.Equal(2, format.ExitCode);
        Assert.Contains("png", format.Stderr);

        var depthAlone = await jobs.Lineage("first", "--depth", "1");
        Assert.Equal(2, depthAlone.ExitCode);
        Assert.Contains("--upstream, --downstream and --depth need a file or stage", depthAlone.Stderr);

        var negative = await jobs.Lineage("first", "shout", "--depth", "-1");
        Assert.Equal(2, negative.ExitCode);
        Assert.Contains("--depth must be 0 or more", negative.Stderr);

        var noJob = await jobs.Lineage("nosuch");
        Assert.Equal(2, noJob.ExitCode);
        Assert.Contains("job 'nosuch' not found", noJob.Stderr);
    }
}
