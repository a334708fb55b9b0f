using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests;

/// <summary>The README's demo job, run through the real CLI, checked the way the seeds check a job folder.</summary>
public sealed partial class DemoJobTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private CliProcess.Result _run = null!;
    private string _job = null!;

    public async ValueTask InitializeAsync()
    {
        var pipeline = Path.Combine(CliProcess.RepoRoot, "samples", "demo", "waybill.yaml");
        _run = await CliProcess.RunAsync(_temp.Path, "run", pipeline, "--job-id", "demo", "--out", "out");
        _job = _temp.Combine("out", "demo");
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void The_run_succeeds_and_every_manifest_validates_against_the_schema()
    {
        Assert.True(_run.ExitCode == 0, _run.All);
        JobAssert.ManifestsAreValid(_job);
    }

    [Fact]
    public void The_job_folder_has_the_seeds_layout()
    {
        Assert.Single(Directory.GetFiles(Path.Combine(_job, "logs"), "99_pipeline_*.log"));
        Assert.Matches(@"99_pipeline_\d{8}_\d{6}\.log$", Directory.GetFiles(Path.Combine(_job, "logs"), "99_pipeline_*.log")[0]);
        Assert.True(File.Exists(Path.Combine(_job, "logs", "events.jsonl")));
        Assert.True(File.Exists(Path.Combine(_job, "manifest.json")));
        Assert.True(File.Exists(Path.Combine(_job, "metadata.json")));
        Assert.True(Directory.Exists(Path.Combine(_job, ".cache")));
        foreach (var stage in new[] { "01_generate", "02_normalize", "03_count", "04_top", "05_report" })
        {
            Assert.True(File.Exists(Path.Combine(_job, stage, "stage.log")), stage);
            Assert.True(File.Exists(Path.Combine(_job, stage, "manifest.json")), stage);
        }
        Assert.Contains("distinct words: 11", File.ReadAllText(Path.Combine(_job, "05_report", "report.md")));
    }

    [Fact]
    public void Each_stage_input_is_the_upstream_output_as_jq_shows_it()
    {
        var chain = new[] { "01_generate", "02_normalize", "03_count", "04_top", "05_report" };
        for (var i = 0; i + 1 < chain.Length; i++)
        {
            var produced = Jq.Run(".outputs[0].path", $"{chain[i]}/manifest.json", _job);
            var consumed = Jq.Run(".inputs[0].path", $"{chain[i + 1]}/manifest.json", _job);
            Assert.Equal(produced, consumed);
            Assert.Equal(
                Jq.Run(".outputs[0].checksum", $"{chain[i]}/manifest.json", _job),
                Jq.Run(".inputs[0].checksum", $"{chain[i + 1]}/manifest.json", _job));
        }
        Assert.Equal("01_generate/text.txt", Jq.Run(".outputs[0].path", "01_generate/manifest.json", _job));
        Assert.StartsWith("[", Jq.Run(".inputs", "05_report/manifest.json", _job));
    }

    [Fact]
    public void The_pipeline_log_shows_stage_transitions_with_the_stage_in_every_line()
    {
        var log = File.ReadAllLines(Directory.GetFiles(Path.Combine(_job, "logs"), "99_pipeline_*.log")[0]);
        Assert.All(log, line => Assert.Matches(LineFormat(), line));
        Assert.Contains(log, l => l.EndsWith("[pipeline] [INFO] ▶ Stage 1/5: generate", StringComparison.Ordinal));
        Assert.Contains(log, l => Regex.IsMatch(l, @"\[pipeline\] \[INFO\] ✓ Stage report: SUCCESS \(\d+\.\ds\)$"));
        Assert.DoesNotContain(log, l => l.Contains("❌ Stage", StringComparison.Ordinal));
        Assert.DoesNotContain(log, l => l.Contains("[DEBUG]", StringComparison.Ordinal));
    }

    [Fact]
    public void Stage_logs_hold_debug_lines_and_the_command_output()
    {
        var lines = File.ReadAllLines(Path.Combine(_job, "03_count", "stage.log"));
        Assert.All(lines, line => Assert.Matches(LineFormat(), line));
        Assert.Contains(lines, l => l.Contains("[stage.count] [DEBUG] command: sort", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("[stage.count] [DEBUG] exit code 0", StringComparison.Ordinal));
    }

    [Fact]
    public void Manifests_record_files_config_tools_and_resources()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(_job, "04_top", "manifest.json")))!;
        Assert.Equal("success", manifest["status"]!.GetValue<string>());
        Assert.Equal(4, manifest["stage_number"]!.GetValue<int>());
        Assert.Equal(10, manifest["config"]!["top"]!.GetValue<int>());
        var output = manifest["outputs"]![0]!;
        Assert.Equal("04_top/top.txt", output["path"]!.GetValue<string>());
        Assert.Equal(new FileInfo(Path.Combine(_job, "04_top", "top.txt")).Length, output["size_bytes"]!.GetValue<long>());
        Assert.Matches("^xxh128:[0-9a-f]{32}$", output["checksum"]!.GetValue<string>());
        Assert.Equal("03_count", manifest["inputs"]![0]!["from_stage"]!.GetValue<string>());
        Assert.Equal("process", manifest["resources"]!["measured_by"]!.GetValue<string>());
        Assert.True(manifest["resources"]!["peak_rss_mb"]!.GetValue<double>() > 0);
        Assert.Contains("GNU coreutils", JsonNode.Parse(File.ReadAllText(Path.Combine(_job, "03_count", "manifest.json")))!["tool_versions"]!["sort"]!.GetValue<string>());
    }

    [Fact]
    public void The_job_manifest_summarises_stages_and_lineage()
    {
        var job = JsonNode.Parse(File.ReadAllText(Path.Combine(_job, "manifest.json")))!;
        Assert.Equal("success", job["status"]!.GetValue<string>());
        Assert.Equal(5, job["stages"]!.AsArray().Count);
        var edges = job["lineage"]!.AsArray();
        Assert.Contains(edges, e => e!["from_stage"]!.GetValue<string>() == "02_normalize" && e["to_stage"]!.GetValue<string>() == "05_report" && e["to_input"]!.GetValue<string>() == "words");
        Assert.Equal(5, edges.Count);
    }

    [Fact]
    public void Events_jsonl_has_one_json_object_per_line_with_stage_transitions()
    {
        var lines = File.ReadAllLines(Path.Combine(_job, "logs", "events.jsonl"));
        var events = lines.Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(5, events.Count(e => e["event"]!.GetValue<string>() == "stage_finished" && e["status"]!.GetValue<string>() == "success"));
        Assert.Contains(events, e => e["event"]!.GetValue<string>() == "log" && e["level"]!.GetValue<string>() == "DEBUG" && e["stage"]?.GetValue<string>() == "03_count");
        Assert.Equal("job_finished", events[^1]["event"]!.GetValue<string>());
    }

    [GeneratedRegex(@"^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\] \[(pipeline|stage\.[a-z0-9_-]+)\] \[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] ")]
    private static partial Regex LineFormat();
}
