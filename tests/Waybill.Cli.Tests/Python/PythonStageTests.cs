using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Core.Manifests;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Python;

/// <summary>
/// Python stages through the real CLI: what a logger warning, an intermediate file, an uncaught exception and a stage
/// that finalizes as failed leave in stage.log, the pipeline log and the manifest; and the client run by hand without
/// an engine, writing the same records itself.
/// </summary>
public sealed class PythonStageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Job => _temp.Combine("out", "j");

    private JsonNode Manifest(string stage) => JsonNode.Parse(File.ReadAllText(Path.Combine(Job, stage, "manifest.json")))!;

    private string PipelineLog() => File.ReadAllText(Directory.GetFiles(Path.Combine(Job, "logs"), "99_pipeline_*.log").Single());

    /// <summary>One Python stage, 01_py, running the given script body after <c>io = StageIO("py", job)</c>.</summary>
    private async Task<CliProcess.Result> RunStageAsync(string body, string outputs = "")
    {
        _temp.Write("stage.py", "import os\nfrom waybill import StageIO\nio = StageIO(\"py\", os.environ[\"WAYBILL_JOB_DIR\"])\n" + body);
        _temp.Write("waybill.yaml", $$"""
            stages:
              - id: 01_py
                inputs: { script: stage.py }
                run: python3 {in.script}
            {{outputs}}
            """);
        return await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--out", "out", "--job-id", "j");
    }

    [Fact]
    public async Task A_logger_warning_is_in_stage_log_the_pipeline_log_and_the_manifests_warnings()
    {
        var run = await RunStageAsync("""
            logger = io.get_stage_logger()
            logger.warning("only %d of %d frames decoded", 98, 100)
            io.finalize()
            """);
        Assert.True(run.ExitCode == 0, run.All);
        const string Line = "[stage.py] [WARNING] only 98 of 100 frames decoded";
        Assert.Contains(Line, File.ReadAllText(Path.Combine(Job, "01_py", "stage.log")), StringComparison.Ordinal);
        Assert.Contains(Line, PipelineLog(), StringComparison.Ordinal);
        var warning = Assert.Single(Manifest("01_py")["warnings"]!.AsArray())!;
        Assert.Equal("only 98 of 100 frames decoded", warning["message"]!.GetValue<string>());
        var recorded = DateTimeOffset.Parse(warning["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(DateTimeOffset.UtcNow - recorded < TimeSpan.FromMinutes(5));
        JobAssert.ManifestsAreValid(Job);
    }

    [Fact]
    public async Task An_intermediate_file_is_recorded_with_retained_reason_and_metadata()
    {
        var run = await RunStageAsync("""
            import pathlib
            cache = pathlib.Path(io.stage_dir, ".cache")
            cache.mkdir()
            (cache / "vad_segments.json").write_text("[]")
            io.track_intermediate(cache / "vad_segments.json", retained=False, reason="VAD segments, rebuilt each run", segment_count=0)
            io.track_intermediate(cache / "vad_segments.json", retained=True, reason="kept for the next run", model="silero")
            io.finalize(status="success")
            """);
        Assert.True(run.ExitCode == 0, run.All);
        var record = Assert.Single(Manifest("01_py")["intermediate_files"]!.AsArray())!;
        Assert.Equal(("01_py/.cache/vad_segments.json", "intermediate"), (record["path"]!.GetValue<string>(), record["type"]!.GetValue<string>()));
        Assert.True(record["retained"]!.GetValue<bool>());
        Assert.Equal("kept for the next run", record["reason"]!.GetValue<string>());
        Assert.Equal((0, "silero"), (record["segment_count"]!.GetValue<int>(), record["model"]!.GetValue<string>()));
        Assert.Matches("^xxh128:", record["checksum"]!.GetValue<string>());
        JobAssert.ManifestsAreValid(Job);
    }

    [Fact]
    public async Task The_seeds_resources_tool_versions_and_config_calls_land_in_the_manifest()
    {
        var run = await RunStageAsync("""
            io.set_config({"model": "large-v2", "device": "cuda"})
            io.add_config("batch_size", 16)
            io.set_resources(cpu_percent=45.2, memory_mb=4096, gpu_used=True)
            io.set_tool_version("whisperx", "3.1.1")
            io.finalize(status="success", segment_count=142)
            """);
        Assert.True(run.ExitCode == 0, run.All);
        var manifest = Manifest("01_py");
        Assert.Equal("""{"model":"large-v2","device":"cuda","batch_size":16}""", manifest["config"]!.ToJsonString());
        var resources = manifest["resources"]!;
        Assert.Equal(4096, resources["memory_mb"]!.GetValue<int>());
        Assert.True(resources["gpu_used"]!.GetValue<bool>());
        Assert.NotEqual(45.2, resources["cpu_percent"]!.GetValue<double>());
        Assert.Equal("3.1.1", manifest["tool_versions"]!["whisperx"]!.GetValue<string>());
        Assert.Equal(142, manifest["summary"]!["segment_count"]!.GetValue<int>());
        Assert.Empty(manifest["warnings"]!.AsArray());
        Assert.Contains("[stage.py] [DEBUG] resources.cpu_percent is measured by Waybill; the figure given (45.2) is not recorded",
            File.ReadAllText(Path.Combine(Job, "01_py", "stage.log")), StringComparison.Ordinal);
        JobAssert.ManifestsAreValid(Job);
    }

    [Fact]
    public async Task An_uncaught_exception_is_an_error_with_its_traceback_and_fails_the_stage()
    {
        var run = await RunStageAsync("""
            def load_model(name):
                raise FileNotFoundError("no model named " + name)
            io.get_stage_logger().info("loading")
            load_model("large-v2")
            """);
        Assert.Equal(ExitCodes.StageFailed, run.ExitCode);
        var manifest = Manifest("01_py");
        Assert.Equal("failed", manifest["status"]!.GetValue<string>());
        var error = manifest["errors"]!.AsArray().First(e => e!["message"]!.GetValue<string>().StartsWith("uncaught", StringComparison.Ordinal))!;
        Assert.Equal("uncaught FileNotFoundError: no model named large-v2", error["message"]!.GetValue<string>());
        var trace = error["stack_trace"]!.GetValue<string>();
        Assert.Contains("in load_model", trace, StringComparison.Ordinal);
        Assert.Contains("raise FileNotFoundError(\"no model named \" + name)", trace, StringComparison.Ordinal);
        Assert.Contains("[stage.py] [ERROR] uncaught FileNotFoundError: no model named large-v2",
            File.ReadAllText(Path.Combine(Job, "01_py", "stage.log")), StringComparison.Ordinal);
        Assert.Contains("❌ Stage py: FAILED", PipelineLog(), StringComparison.Ordinal);
        JobAssert.ManifestsAreValid(Job);
    }

    [Fact]
    public async Task The_templates_failure_branch_records_the_error_and_fails_the_stage()
    {
        _temp.Write("data/input.json", "{ not json");
        var script = Path.Combine(CliProcess.RepoRoot, "samples", "python", "my_stage.py");
        _temp.Write("waybill.yaml", $$"""
            stages:
              - id: 03_my_stage
                inputs:
                  input: data/input.json
                  script: '{{script}}'
                run: python3 {in.script} --param 30
                outputs: { output: output.json }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--out", "out", "--job-id", "j");
        Assert.Equal(ExitCodes.StageFailed, run.ExitCode);
        var manifest = Manifest("03_my_stage");
        Assert.Equal("failed", manifest["status"]!.GetValue<string>());
        var error = manifest["errors"]!.AsArray().First(e => e!["message"]!.GetValue<string>() == "Failed")!;
        Assert.Contains("JSONDecodeError", error["exception_type"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("[stage.my_stage] [ERROR] Failed", PipelineLog(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_by_hand_without_an_engine_the_client_writes_stage_log_and_a_valid_manifest()
    {
        Directory.CreateDirectory(_temp.Combine("job", "04_hand"));
        _temp.Write("job/clip.txt", "frames\n");
        _temp.Write("hand.py", """
            import sys
            from waybill import StageIO
            io = StageIO("hand", sys.argv[1])
            logger = io.get_stage_logger("DEBUG")
            logger.debug("details")
            logger.warning("by hand")
            io.track_input(io.job_dir / "clip.txt", "text")
            out = io.get_output_path("out.txt")
            out.write_text("done\n")
            io.track_output(out, "text", lines=1)
            io.finalize(status="success", lines=1)
            """);
        var environment = new Dictionary<string, string> { ["PYTHONPATH"] = Python.ClientRoot, ["TMPDIR"] = _temp.Path };
        var run = await Python.RunAsync(_temp.Path, environment, "hand.py", _temp.Combine("job"));
        Assert.True(run.ExitCode == 0, run.All);
        var stageLog = File.ReadAllLines(_temp.Combine("job", "04_hand", "stage.log"));
        Assert.Contains(stageLog, l => l.EndsWith("[stage.hand] [DEBUG] details", StringComparison.Ordinal));
        Assert.Contains(stageLog, l => l.EndsWith("[stage.hand] [WARNING] by hand", StringComparison.Ordinal));
        var pipelineLog = Directory.GetFiles(_temp.Combine("job", "logs"), "99_pipeline_*.log").Single();
        Assert.Contains("[stage.hand] [WARNING] by hand", File.ReadAllText(pipelineLog), StringComparison.Ordinal);
        var path = _temp.Combine("job", "04_hand", "manifest.json");
        Assert.Empty(ManifestValidator.ValidateStage(path));
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal(("04_hand", 4, "success"),
            (manifest["stage_id"]!.GetValue<string>(), manifest["stage_number"]!.GetValue<int>(), manifest["status"]!.GetValue<string>()));
        Assert.Equal("04_hand/out.txt", Jq.Run(".outputs[0].path", "04_hand/manifest.json", _temp.Combine("job")));
        Assert.Equal("clip.txt", Jq.Run(".inputs[0].path", "04_hand/manifest.json", _temp.Combine("job")));
        Assert.Matches("^sha256:[0-9a-f]{64}$", manifest["outputs"]![0]!["checksum"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_standalone_log_escapes_text_exactly_as_the_engines_log_lines_do()
    {
        string[] samples = ["two\nlines", "tab\tand \r return", "\u001b[31mred\u001b[0m", "C:\\new\\table", "end\\", "\\\\", "\\x41",
            "nul\0del\u007f", "c1\u0085 ls\u2028 ps\u2029", "back\\\n", "é 中文 \U0001F600", "\\u0041 \\\\n"];
        var input = _temp.Write("samples.json", new JsonArray([.. samples.Select(s => (JsonNode)s)]).ToJsonString());
        var environment = new Dictionary<string, string> { ["PYTHONPATH"] = Python.ClientRoot };
        var run = await Python.RunAsync(_temp.Path, environment, "-c",
            "import json, sys\nfrom waybill._encoding import escape_log\n"
            + "print(json.dumps([escape_log(s) for s in json.load(open(sys.argv[1], encoding='utf-8'))]))", input);
        Assert.True(run.ExitCode == 0, run.All);
        var escaped = JsonNode.Parse(run.Stdout)!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        Assert.Equal(samples.Select(Waybill.Core.Logging.LogText.Escape), escaped);
    }
}
