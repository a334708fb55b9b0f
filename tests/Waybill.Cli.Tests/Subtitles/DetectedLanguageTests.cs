using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Media.Model;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

/// <summary>
/// With <c>--lang auto</c> the language the recogniser reports tags the subtitle tracks: a command recogniser that writes
/// whisper-style JSON with <c>"language": "de"</c> gives a track tagged <c>deu</c> and named German, in MP4 and MKV.
/// </summary>
public sealed class DetectedLanguageTests : IDisposable
{
    private const string Said = "Guten Morgen, wie geht es dir?";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A clip with speech from 0.8 s, and a recogniser that reports German text for it, as WhisperX writes it.</summary>
    private async Task<(CliProcess.Result Run, string Job)> SubtitleAsync(string container)
    {
        var speech = _temp.Combine("speech.wav");
        Espeak.Write(speech, "Guten Morgen, wie geht es dir?", "de", 140);
        var video = _temp.Combine($"clip.{container}");
        Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10", "-i", speech, "-af", "adelay=800,apad=pad_dur=1", "-shortest",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", video);
        var recogniser = _temp.Write("whisper-de.sh", $$"""
            #!/bin/sh
            # $1: the audio, $2: the folder for the JSON
            printf '%s' '{"language": "de", "segments": [{"start": 0.8, "end": 2.6, "text": " {{Said}}"}]}' > "$2/result.json"
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "subtitle", video, "--job-id", container, "--out", "out", "--lang", "auto",
            "--asr", "command", "--set", $"asr.command=sh '{recogniser}' {{audio}} {{out_dir}}");
        return (run, _temp.Combine("out", container));
    }

    private static JsonObject SubtitleStream(string video)
    {
        var json = Tool.Run("ffprobe", "-v", "error", "-select_streams", "s", "-show_entries", "stream=codec_name:stream_tags", "-of", "json", video);
        return JsonNode.Parse(json)!["streams"]!.AsArray().Single()!.AsObject();
    }

    [Fact]
    public async Task An_mp4_track_is_tagged_deu_and_named_german_and_the_text_keeps_its_own_case()
    {
        var (run, job) = await SubtitleAsync("mp4");

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal("de", MediaJson.Read<Transcript>(Path.Combine(job, "06_asr", "segments.json")).Language);
        Assert.Equal(["de"], MediaJson.Read<SubtitleTracks>(Path.Combine(job, "11_subtitle_generation", "tracks.json")).Tracks.Select(t => t.Language));
        Assert.Equal(Said, string.Join(' ', Srt.Parse(Path.Combine(job, "11_subtitle_generation", "subtitles.srt")).Select(c => c.Text)));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "11_subtitle_generation", "manifest.json")))!;
        Assert.Equal("auto", manifest["config"]!["sentence_case"]!.GetValue<string>());
        Assert.False(manifest["config"]!["sentence_case_applied"]!.GetValue<bool>());

        var stream = SubtitleStream(Path.Combine(job, "12_mux", "clip.subtitled.mp4"));
        Assert.Equal("mov_text", stream["codec_name"]!.GetValue<string>());
        Assert.Equal("deu", stream["tags"]!["language"]!.GetValue<string>());
        Assert.Equal("German", stream["tags"]!["handler_name"]!.GetValue<string>());
        var mux = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "12_mux", "manifest.json")))!;
        var output = mux["outputs"]!.AsArray().Single(o => o!["type"]!.GetValue<string>() == "video")!;
        Assert.Equal("German", output["subtitle_titles"]![0]!.GetValue<string>());
        JobAssert.ManifestsAreValid(job);
    }

    [Fact]
    public async Task An_mkv_track_is_tagged_deu_and_titled_german()
    {
        var (run, job) = await SubtitleAsync("mkv");

        Assert.True(run.ExitCode == 0, run.All);
        var stream = SubtitleStream(Path.Combine(job, "12_mux", "clip.subtitled.mkv"));
        Assert.Equal("subrip", stream["codec_name"]!.GetValue<string>());
        Assert.Equal("deu", stream["tags"]!["language"]!.GetValue<string>());
        Assert.Equal("German", stream["tags"]!["title"]!.GetValue<string>());
    }
}
