using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

/// <summary>Awkward and bad inputs to <c>waybill subtitle</c>: a clear error and a non-zero exit, or a valid result.</summary>
public sealed class SubtitleInputTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private Task<CliProcess.Result> Subtitle(string video, IDictionary<string, string>? environment = null) =>
        CliProcess.RunAsync(_temp.Path, environment, "subtitle", video, "--job-id", "job", "--out", "out");

    private string JobFile(params string[] parts) => _temp.Combine(["out", "job", .. parts]);

    private JsonObject Manifest(string stage) => JsonNode.Parse(File.ReadAllText(JobFile(stage, "manifest.json")))!.AsObject();

    /// <summary>A failure is told on the console, in the stage's manifest errors, its stage.log and the pipeline log.</summary>
    private void AssertDemuxFailed(CliProcess.Result run, string message)
    {
        Assert.True(run.ExitCode == 1, run.All);
        Assert.Contains(message, run.All, StringComparison.Ordinal);
        Assert.DoesNotContain("   at Waybill", run.All, StringComparison.Ordinal);
        var manifest = Manifest("01_demux");
        Assert.Equal("failed", manifest["status"]!.GetValue<string>());
        Assert.Contains(manifest["errors"]!.AsArray(), e => e!["message"]!.GetValue<string>().Contains(message, StringComparison.Ordinal));
        Assert.Contains(message, File.ReadAllText(JobFile("01_demux", "stage.log")), StringComparison.Ordinal);
        Assert.Contains(message, File.ReadAllText(Directory.GetFiles(JobFile("logs"), "99_pipeline_*.log").Single()), StringComparison.Ordinal);
        Assert.Equal("skipped", Manifest("05_vad")["status"]!.GetValue<string>());
        JobAssert.ManifestsAreValid(JobFile());
    }

    [Fact]
    public async Task A_zero_byte_file_is_refused_with_a_clear_error()
    {
        var video = _temp.Write("empty movie.mp4", "");
        AssertDemuxFailed(await Subtitle(video), "is empty (0 bytes)");
    }

    [Fact]
    public async Task Running_the_job_again_explains_why_the_failed_stage_runs_again()
    {
        var video = _temp.Write("empty movie.mp4", "");
        AssertDemuxFailed(await Subtitle(video), "is empty (0 bytes)");
        var again = await CliProcess.RunAsync(_temp.Path, "subtitle", video, "--job-id", "job", "--out", "out", "--explain");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("01_demux  ran: previous attempt failed (", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, Manifest("01_demux")["attempt"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_text_file_named_mp4_is_refused()
    {
        var video = _temp.Write("notes ü.mp4", "these are my notes, not a video\n");
        AssertDemuxFailed(await Subtitle(video), "is not a media file");
    }

    [Fact]
    public async Task A_video_without_audio_is_refused()
    {
        var video = _temp.Combine("silent film.mp4");
        Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", video);
        AssertDemuxFailed(await Subtitle(video), "has no audio stream");
    }

    [Fact]
    public async Task A_truncated_video_is_refused()
    {
        var whole = _temp.Combine("whole.mp4");
        Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10", "-f", "lavfi", "-i", "sine=frequency=440", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", whole);
        var bytes = File.ReadAllBytes(whole);
        var video = _temp.Combine("truncated.mp4");
        File.WriteAllBytes(video, bytes[..(bytes.Length / 3)]);
        var run = await Subtitle(video);
        Assert.True(run.ExitCode == 1, run.All);
        Assert.Equal("failed", Manifest("01_demux")["status"]!.GetValue<string>());
        Assert.Contains("truncated.mp4", Manifest("01_demux")["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silent_audio_gives_a_warning_empty_valid_subtitles_and_no_mux()
    {
        var video = _temp.Combine("quiet.mp4");
        Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", video);
        var run = await Subtitle(video);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains(Manifest("05_vad")["warnings"]!.AsArray(), w => w!["message"]!.GetValue<string>().Contains("no speech found", StringComparison.Ordinal));
        Assert.Empty(Srt.Parse(JobFile("11_subtitle_generation", "subtitles.srt")));
        Assert.StartsWith("WEBVTT", File.ReadAllText(JobFile("11_subtitle_generation", "subtitles.vtt")), StringComparison.Ordinal);
        Assert.Equal("skipped", Manifest("12_mux")["status"]!.GetValue<string>());
        Assert.Contains("no speech", Manifest("12_mux")["status_reason"]!.GetValue<string>(), StringComparison.Ordinal);
        JobAssert.ManifestsAreValid(JobFile());
    }

    [Fact]
    public async Task Speech_at_48_kHz_stereo_in_mkv_is_resampled_recognised_and_muxed_as_srt()
    {
        var speech = _temp.Combine("speech.wav");
        Espeak.Write(speech, "The children walk to school along the quiet green road.", "en-us", 140);
        var video = _temp.Combine("clip 48k stéréo.mkv");
        Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10", "-i", speech, "-af", "adelay=800|800,apad=pad_dur=1", "-ar", "48000", "-ac", "2",
            "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", video);
        var run = await Subtitle(video);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.NotEmpty(Srt.Parse(JobFile("11_subtitle_generation", "subtitles.srt")));
        var muxed = Directory.GetFiles(JobFile("12_mux"), "*.mkv").Single();
        Assert.Contains("subrip", Tool.Run("ffprobe", "-v", "error", "-select_streams", "s", "-show_entries", "stream=codec_name", "-of", "csv=p=0", muxed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Speech_at_8_kHz_is_resampled_and_recognised()
    {
        var speech = _temp.Combine("speech.wav");
        Espeak.Write(speech, "Every morning the baker opens his shop and sells fresh bread.", "en-us", 140);
        var phone = _temp.Combine("phone call.wav");
        Tool.Ffmpeg("-i", speech, "-af", "adelay=600,apad=pad_dur=1", "-ar", "8000", "-ac", "1", phone);
        var run = await Subtitle(phone);

        Assert.True(run.ExitCode == 0, run.All);
        Assert.NotEmpty(Srt.Parse(JobFile("11_subtitle_generation", "subtitles.srt")));
        Assert.Equal(8000, Manifest("01_demux")["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "audio")!["source_sample_rate"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_missing_vad_model_says_how_to_get_it()
    {
        var speech = _temp.Combine("speech.wav");
        Espeak.Write(speech, "Hello there.");
        var run = await Subtitle(speech, new Dictionary<string, string> { ["WAYBILL_MODEL_DIR"] = _temp.Combine("no models here") });

        Assert.True(run.ExitCode == 1, run.All);
        Assert.Contains("silero_vad.onnx", run.All, StringComparison.Ordinal);
        Assert.Contains("scripts/fetch-models.sh", run.All, StringComparison.Ordinal);
        Assert.Equal("failed", Manifest("05_vad")["status"]!.GetValue<string>());
        Assert.Equal("success", Manifest("01_demux")["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_tool_is_named_with_how_to_install_it()
    {
        var speech = _temp.Combine("speech.wav");
        Espeak.Write(speech, "Hello there.");
        var run = await Subtitle(speech, new Dictionary<string, string> { ["PATH"] = _temp.Combine("empty bin") });

        Assert.True(run.ExitCode == 1, run.All);
        Assert.Contains("is not installed", run.All, StringComparison.Ordinal);
        Assert.Contains("apt-get install ffmpeg", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_video_is_a_usage_error_and_writes_no_job()
    {
        var run = await Subtitle(_temp.Combine("nowhere.mp4"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("video not found", run.All, StringComparison.Ordinal);
        Assert.False(Directory.Exists(JobFile()));
    }
}
