using System.Text.Json;
using Waybill.Core.Pipeline;
using Waybill.Media.Model;
using Waybill.Media.Stages.Mux;
using Waybill.Media.Tests.Demux;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Mux;

/// <summary>12_mux on real videos made by ffmpeg, checked with ffprobe.</summary>
public sealed class MuxStageTests : IDisposable
{
    private const string EnglishSrt = "1\n00:00:00,500 --> 00:00:01,400\nHello there.\n\n2\n00:00:01,800 --> 00:00:02,700\nGrüße aus Köln!\n";
    private const string GermanSrt = "1\n00:00:00,500 --> 00:00:01,400\nHallo.\n";

    private readonly TempFolder _temp = new();
    private readonly StageHarness _run;

    public MuxStageTests() => _run = new StageHarness(_temp);

    public void Dispose() => _temp.Dispose();

    /// <summary>tracks.json and its SRT files, in a folder like 11_subtitle_generation/ (SRT paths relative to it).</summary>
    private string Tracks(params (string Language, string? Srt, int Cues)[] tracks)
    {
        var folder = _temp.Combine("11_subtitle_generation");
        Directory.CreateDirectory(folder);
        var list = new List<SubtitleTrack>();
        foreach (var (language, srt, cues) in tracks)
        {
            var name = $"subtitles.{language}.srt";
            if (srt is not null) MediaFiles.WriteText(Path.Combine(folder, name), srt);
            list.Add(new SubtitleTrack(language, name, $"subtitles.{language}.vtt", cues));
        }
        var path = Path.Combine(folder, "tracks.json");
        MediaJson.Write(path, new SubtitleTracks { Tracks = list });
        return path;
    }

    private PipelineDefinition Pipeline(string video, string tracks) =>
        new PipelineBuilder("mux", _temp.Path).Config("video", video)
            .Stage("12_mux", () => new MuxStage(), s => s.ExternalInput("video", "{config.video}", "video").ExternalInput("tracks", tracks, "subtitle_tracks"))
            .Build();

    private sealed record Probed(string Type, string Codec, string? Language, string? Title);

    private static List<Probed> Streams(string path)
    {
        using var json = JsonDocument.Parse(MediaFiles.ProbeJson(path));
        return [.. json.RootElement.GetProperty("streams").EnumerateArray().Select(s =>
        {
            var tags = s.TryGetProperty("tags", out var t) ? t : default;
            string? Tag(string name) => tags.ValueKind == JsonValueKind.Object && tags.TryGetProperty(name, out var v) ? v.GetString() : null;
            return new Probed(s.GetProperty("codec_type").GetString()!, s.GetProperty("codec_name").GetString()!, Tag("language"), Tag("title"));
        })];
    }

    /// <summary>MD5 of a stream's packets, read without decoding: equal only when the stream was copied bit for bit.</summary>
    private static string PacketHash(string path, string stream) =>
        MediaFiles.Run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-map", $"0:{stream}", "-c", "copy", "-f", "md5", "-"]).Trim();

    private static string SubtitleText(string path, int index)
    {
        var srt = Path.Combine(Path.GetTempPath(), $"waybill-mux-test-{Guid.NewGuid():N}.srt");
        try
        {
            MediaFiles.Ffmpeg(["-i", path, "-map", $"0:s:{index}", "-c:s", "srt", srt]);
            return File.ReadAllText(srt);
        }
        finally
        {
            File.Delete(srt);
        }
    }

    [Fact]
    public async Task An_mp4_gets_a_mov_text_track_tagged_eng_and_keeps_its_streams_untouched()
    {
        var video = MediaFiles.Video(_temp.Combine("Mein Film (2019).mp4"), seconds: 3);

        await _run.RunAsync(Pipeline(video, Tracks(("en", EnglishSrt, 2))));

        var output = _run.StageDir("12_mux") + "/Mein Film (2019).subtitled.mp4";
        Assert.True(File.Exists(output));
        var streams = Streams(output);
        Assert.Equal(["video h264", "audio aac", "subtitle mov_text"], streams.Select(s => $"{s.Type} {s.Codec}"));
        Assert.Equal("eng", streams[2].Language);
        Assert.Equal(PacketHash(video, "v:0"), PacketHash(output, "v:0"));
        Assert.Equal(PacketHash(video, "a:0"), PacketHash(output, "a:0"));
        var text = SubtitleText(output, 0);
        Assert.Contains("00:00:00,500 --> 00:00:01,400", text, StringComparison.Ordinal);
        Assert.Contains("Grüße aus Köln!", text, StringComparison.Ordinal);

        var manifest = _run.Manifest("12_mux");
        Assert.Equal("success", manifest.Status);
        var record = manifest.Outputs.Single();
        Assert.Equal(("video", "12_mux/Mein Film (2019).subtitled.mp4", "mp4"), (record.Name, record.Path, record.Format));
        Assert.Equal("mov_text", record.Metadata!["subtitle_codec"].GetString());
        var srtInput = manifest.Inputs.Single(i => i.Format == "srt");
        Assert.Equal("en", srtInput.Metadata!["language"].GetString());
        Assert.Equal(2, srtInput.Metadata["cues"].GetInt32());
        Assert.StartsWith("ffmpeg version", manifest.ToolVersions["ffmpeg"], StringComparison.Ordinal);
        Assert.Empty(manifest.Warnings);
        Assert.Empty(Directory.GetFiles(_run.StageDir("12_mux"), ".partial*"));
    }

    [Fact]
    public async Task An_mkv_gets_subrip_tracks_in_both_languages()
    {
        var video = _temp.Combine("film.mkv");
        MediaFiles.Ffmpeg(["-i", MediaFiles.Video(_temp.Combine("source.mp4"), seconds: 3), "-c", "copy", video]);

        await _run.RunAsync(Pipeline(video, Tracks(("en", EnglishSrt, 2), ("de", GermanSrt, 1))));

        var streams = Streams(_run.StageDir("12_mux") + "/film.subtitled.mkv");
        Assert.Equal(
            [new("subtitle", "subrip", "eng", "English"), new("subtitle", "subrip", "deu", "German")],
            streams.Where(s => s.Type == "subtitle"));
        Assert.Equal(["video h264", "audio aac"], streams.Where(s => s.Type != "subtitle").Select(s => $"{s.Type} {s.Codec}"));
        Assert.Contains("Hallo.", SubtitleText(_run.StageDir("12_mux") + "/film.subtitled.mkv", 1), StringComparison.Ordinal);
        Assert.Equal(2, _run.Manifest("12_mux").Inputs.Count(i => i.Format == "srt"));
    }

    [Fact]
    public async Task Existing_subtitle_streams_are_kept_and_the_new_ones_follow()
    {
        var video = _temp.Combine("with french.mkv");
        var french = _temp.Combine("fr.srt");
        MediaFiles.WriteText(french, "1\n00:00:00,100 --> 00:00:00,900\nBonjour.\n");
        MediaFiles.Ffmpeg(["-i", MediaFiles.Video(_temp.Combine("source.mp4"), seconds: 2), "-i", french, "-map", "0", "-map", "1", "-c", "copy", "-c:s", "srt", "-metadata:s:s:0", "language=fre", video]);

        await _run.RunAsync(Pipeline(video, Tracks(("en", EnglishSrt, 2))));

        var subtitles = Streams(_run.StageDir("12_mux") + "/with french.subtitled.mkv").Where(s => s.Type == "subtitle").ToList();
        Assert.Equal(["fre", "eng"], subtitles.Select(s => s.Language));
        Assert.Contains("Bonjour.", SubtitleText(_run.StageDir("12_mux") + "/with french.subtitled.mkv", 0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_avi_becomes_matroska_with_a_warning()
    {
        var video = MediaFiles.Video(_temp.Combine("old clip.avi"), seconds: 2, videoCodec: "mpeg4", audioCodec: "libmp3lame", language: null);

        await _run.RunAsync(Pipeline(video, Tracks(("en", EnglishSrt, 2))));

        var output = _run.StageDir("12_mux") + "/old clip.subtitled.mkv";
        Assert.Equal(["video mpeg4", "audio mp3", "subtitle subrip"], Streams(output).Select(s => $"{s.Type} {s.Codec}"));
        Assert.Equal(PacketHash(video, "a:0"), PacketHash(output, "a:0"));
        Assert.Equal("old clip.avi is AVI, which cannot hold SubRip/mov_text subtitle tracks; writing Matroska instead: old clip.subtitled.mkv",
            Assert.Single(_run.Manifest("12_mux").Warnings).Message);
    }

    [Fact]
    public async Task Only_zero_cue_tracks_skip_the_stage_with_the_reason()
    {
        var video = MediaFiles.Video(_temp.Combine("quiet.mp4"), seconds: 1);

        await _run.RunAsync(Pipeline(video, Tracks(("en", "", 0), ("de", "", 0))));

        var manifest = _run.Manifest("12_mux");
        Assert.Equal(("skipped", "no subtitles to mux: no speech found"), (manifest.Status, manifest.StatusReason));
        Assert.Empty(Directory.GetFiles(_run.StageDir("12_mux"), "*.mp4"));
    }

    [Fact]
    public async Task A_zero_cue_track_is_left_out_with_a_warning()
    {
        var video = MediaFiles.Video(_temp.Combine("movie.mp4"), seconds: 3);

        await _run.RunAsync(Pipeline(video, Tracks(("en", EnglishSrt, 2), ("de", "", 0))));

        Assert.Equal(["eng"], Streams(_run.StageDir("12_mux") + "/movie.subtitled.mp4").Where(s => s.Type == "subtitle").Select(s => s.Language));
        Assert.Equal("the de track has no cues; it is left out", Assert.Single(_run.Manifest("12_mux").Warnings).Message);
    }

    [Fact]
    public async Task A_missing_srt_fails_naming_it()
    {
        var video = MediaFiles.Video(_temp.Combine("movie.mp4"), seconds: 1);

        await _run.RunAsync(Pipeline(video, Tracks(("en", null, 3))));

        Assert.Equal($"the en track's subtitles are missing: {_temp.Combine("11_subtitle_generation", "subtitles.en.srt")} (listed in tracks.json as 'subtitles.en.srt')", _run.Failure("12_mux"));
    }

    [Fact]
    public async Task A_broken_srt_fails_with_ffmpegs_error()
    {
        var video = MediaFiles.Video(_temp.Combine("movie.mp4"), seconds: 1);

        await _run.RunAsync(Pipeline(video, Tracks(("en", "this is not\na subtitle file\n", 1))));

        Assert.StartsWith($"ffmpeg could not add the subtitles to {video} (exit code ", _run.Failure("12_mux"), StringComparison.Ordinal);
    }
}
