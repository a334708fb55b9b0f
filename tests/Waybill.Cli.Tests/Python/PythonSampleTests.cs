using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Python;

/// <summary>
/// samples/python: the seeds' two Python samples (the demux stage and the my_stage template), their StageIO calls as
/// the seeds wrote them, run by the real CLI; their manifests hold what the seeds say they hold.
/// </summary>
public sealed class PythonSampleTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private CliProcess.Result _run = null!;
    private string _job = null!;

    public async ValueTask InitializeAsync()
    {
        var pipeline = Path.Combine(CliProcess.RepoRoot, "samples", "python", "waybill.yaml");
        _run = await CliProcess.RunAsync(_temp.Path, "run", pipeline, "--job-id", "py", "--out", "out", "--set", "debug=true");
        _job = _temp.Combine("out", "py");
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }

    private JsonNode Manifest(string stage) => JsonNode.Parse(File.ReadAllText(Path.Combine(_job, stage, "manifest.json")))!;

    [Fact]
    public void Both_samples_succeed_and_every_manifest_validates()
    {
        Assert.True(_run.ExitCode == 0, _run.All);
        JobAssert.ManifestsAreValid(_job);
        Assert.Equal("success", Manifest("02_demux")["status"]!.GetValue<string>());
        Assert.Equal("success", Manifest("03_my_stage")["status"]!.GetValue<string>());
    }

    [Fact]
    public void The_demux_manifest_holds_the_tracked_video_the_config_and_the_audio_with_its_metadata()
    {
        var manifest = Manifest("02_demux");
        var video = Assert.Single(manifest["inputs"]!.AsArray(), i => i!["path"]!.GetValue<string>() == "01_clip/clip.mp4")!;
        Assert.Equal("video", video["type"]!.GetValue<string>());
        Assert.Equal("mp4", video["format"]!.GetValue<string>());
        Assert.Equal("""{"processing_mode":"clip","start_time":0.5,"end_time":3.5}""", manifest["config"]!.ToJsonString());
        var audio = Assert.Single(manifest["outputs"]!.AsArray())!;
        Assert.Equal("02_demux/audio.wav", audio["path"]!.GetValue<string>());
        Assert.Equal(("audio", "wav", 16000),
            (audio["type"]!.GetValue<string>(), audio["format"]!.GetValue<string>(), audio["sample_rate"]!.GetValue<int>()));
        var sizeMb = Math.Round(new FileInfo(Path.Combine(_job, "02_demux", "audio.wav")).Length / (1024.0 * 1024.0), 2);
        Assert.Equal(sizeMb, audio["size_mb"]!.GetValue<double>());
        Assert.Equal(sizeMb, manifest["summary"]!["output_size_mb"]!.GetValue<double>());
        Assert.Matches("^xxh128:[0-9a-f]{32}$", audio["checksum"]!.GetValue<string>());
    }

    [Fact]
    public void The_demux_stage_really_extracted_three_seconds_of_16_kHz_mono_audio()
    {
        var probe = JsonNode.Parse(Tool.Run("ffprobe", "-v", "error", "-of", "json", "-show_streams", Path.Combine(_job, "02_demux", "audio.wav")))!;
        var stream = probe["streams"]![0]!;
        Assert.Equal("16000", stream["sample_rate"]!.GetValue<string>());
        Assert.Equal(1, stream["channels"]!.GetValue<int>());
        Assert.InRange(double.Parse(stream["duration"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), 2.9, 3.1);
    }

    [Fact]
    public void The_template_stage_records_its_transcript_input_config_and_output()
    {
        var manifest = Manifest("03_my_stage");
        var input = Assert.Single(manifest["inputs"]!.AsArray(),
            i => i!["path"]!.GetValue<string>().EndsWith("samples/python/input.json", StringComparison.Ordinal))!;
        Assert.Equal("transcript", input["type"]!.GetValue<string>());
        Assert.Equal("""{"param":42}""", manifest["config"]!.ToJsonString());
        var output = Assert.Single(manifest["outputs"]!.AsArray())!;
        Assert.Equal(("03_my_stage/output.json", "transcript"), (output["path"]!.GetValue<string>(), output["type"]!.GetValue<string>()));
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(_job, "03_my_stage", "output.json")))!;
        Assert.All(written["segments"]!.AsArray(), s => Assert.All(s!["lines"]!.AsArray(), l => Assert.True(l!.GetValue<string>().Length <= 42)));
    }

    [Fact]
    public void The_python_loggers_lines_reach_stage_log_with_debug_and_the_pipeline_log_from_info()
    {
        var stageLog = File.ReadAllText(Path.Combine(_job, "02_demux", "stage.log"));
        Assert.Contains("[stage.demux] [INFO] Extracting audio from clip.mp4", stageLog, StringComparison.Ordinal);
        Assert.Contains("[stage.demux] [DEBUG] running ffmpeg -nostdin", stageLog, StringComparison.Ordinal);
        var pipelineLog = File.ReadAllText(Directory.GetFiles(Path.Combine(_job, "logs"), "99_pipeline_*.log").Single());
        Assert.Contains("[stage.demux] [INFO] Extracting audio from clip.mp4", pipelineLog, StringComparison.Ordinal);
        Assert.Contains("[stage.my_stage] [INFO] Wrapped 2 segments at 42 characters", pipelineLog, StringComparison.Ordinal);
        Assert.DoesNotContain("running ffmpeg", pipelineLog, StringComparison.Ordinal);
    }
}
