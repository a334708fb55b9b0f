using Waybill.Media.Tools;
using System.Text.Json;
using Waybill.Core.Pipeline;
using Waybill.Media.Audio;
using Waybill.Media.Model;
using Waybill.Media.Stages.Demux;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Demux;

/// <summary>01_demux on real files made by ffmpeg, in a real job folder.</summary>
public sealed class DemuxStageTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly StageHarness _run;

    public DemuxStageTests() => _run = new StageHarness(_temp);

    public void Dispose() => _temp.Dispose();

    private PipelineDefinition Pipeline(string video, string language = "en", object? start = null, object? end = null, long? maxDecodeErrors = null)
    {
        var builder = new PipelineBuilder("demux", _temp.Path)
            .Config("video", video).Config("language", language).Config("start", start).Config("end", end);
        if (maxDecodeErrors is { } max) builder.Config("max_decode_errors", max);
        return builder.Stage("01_demux", () => new DemuxStage(), s => s
                .ExternalInput("video", "{config.video}", "video")
                .Output("audio", "audio.wav", "audio", "wav")
                .Output("metadata", "metadata.json", "media_metadata", "json"))
            .Build();
    }

    private string Wav => _run.StageDir("01_demux") + "/audio.wav";

    private MediaMetadata Metadata => MediaJson.Read<MediaMetadata>(_run.StageDir("01_demux") + "/metadata.json");

    [Fact]
    public async Task A_stereo_48k_mp4_becomes_16k_mono_pcm_with_metadata_and_tool_versions()
    {
        var video = MediaFiles.Video(_temp.Combine("Ünïcode Movie (2019) — cut.mp4"), seconds: 3, sampleRate: 48000, channels: 2);

        var result = await _run.RunAsync(Pipeline(video));

        Assert.Equal(Waybill.Core.Manifests.StageStatus.Success, result.Status);
        using (var wav = new WavReader(Wav))
        {
            Assert.Equal(16000, wav.SampleRate);
            Assert.Equal(1, wav.Channels);
            Assert.InRange(wav.DurationSeconds, 2.95, 3.05);
            // The sine survives resampling and downmixing: 440 Hz gives about 880 zero crossings a second.
            Assert.InRange(MediaFiles.ZeroCrossingsPerSecond(Wav), 860, 900);
        }
        var metadata = Metadata;
        Assert.Equal("Ünïcode Movie (2019) — cut.mp4", metadata.FileName);
        Assert.Equal(video, metadata.Path);
        Assert.Equal(new FileInfo(video).Length, metadata.SizeBytes);
        Assert.Contains("mp4", metadata.Format, StringComparison.Ordinal);
        Assert.InRange(metadata.Duration!.Value, 2.9, 3.1);
        Assert.True(metadata.BitRate > 0);
        Assert.True(metadata.HasVideo);
        Assert.Collection(metadata.Streams,
            v =>
            {
                Assert.Equal(("video", "h264", 160, 120, 25.0), (v.Type, v.Codec, v.Width, v.Height, v.FrameRate));
                Assert.Null(v.Channels);
            },
            a =>
            {
                Assert.Equal((1, "audio", "aac", "eng", 2, 48000), (a.Index, a.Type, a.Codec, a.Language, a.Channels, a.SampleRate));
                Assert.Null(a.Width);
            });
        Assert.Equal(1, metadata.AudioStream!.Index);
        Assert.Equal(0, metadata.AudioStream.AudioIndex);
        Assert.Contains("matches config language 'en'", metadata.AudioStream.Reason, StringComparison.Ordinal);

        var manifest = _run.Manifest("01_demux");
        var audio = manifest.Outputs.Single(o => o.Name == "audio");
        Assert.Equal(16000, audio.Metadata!["sample_rate"].GetInt32());
        Assert.Equal(1, audio.Metadata["channels"].GetInt32());
        Assert.Equal(48000, audio.Metadata["source_sample_rate"].GetInt32());
        Assert.Equal(2, audio.Metadata["source_channels"].GetInt32());
        Assert.InRange(audio.Metadata["duration"].GetDouble(), 2.95, 3.05);
        var metadataRecord = manifest.Outputs.Single(o => o.Name == "metadata");
        Assert.Equal("json", metadataRecord.Format);
        Assert.Contains("mp4", metadataRecord.Metadata!["container"].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("ffmpeg version ", manifest.ToolVersions["ffmpeg"], StringComparison.Ordinal);
        Assert.StartsWith("ffprobe version ", manifest.ToolVersions["ffprobe"], StringComparison.Ordinal);
        Assert.Empty(manifest.Warnings);
        Assert.Contains("stderr| [info]", _run.StageLog("01_demux"), StringComparison.Ordinal);

        // The WAV is reproducible: a second run writes the same bytes.
        var first = audio.Checksum;
        await _run.RunAsync(Pipeline(video));
        Assert.Equal(first, _run.Manifest("01_demux").Outputs.Single(o => o.Name == "audio").Checksum);
    }

    [Fact]
    public async Task The_stream_in_the_configured_language_is_taken_even_when_another_is_the_default()
    {
        var video = MediaFiles.TwoLanguages(_temp.Combine("two languages.mkv"));

        await _run.RunAsync(Pipeline(video, language: "en"));

        Assert.Equal(2, Metadata.AudioStream!.Index);
        Assert.Equal("eng", Metadata.AudioStream.Language);
        Assert.InRange(MediaFiles.ZeroCrossingsPerSecond(Wav), 1700, 1820); // the 880 Hz English stream
        Assert.Equal(44100, _run.Manifest("01_demux").Outputs.Single(o => o.Name == "audio").Metadata!["source_sample_rate"].GetInt32());

        await _run.RunAsync(Pipeline(video, language: "de"));
        Assert.Equal(1, Metadata.AudioStream!.Index);
        Assert.InRange(MediaFiles.ZeroCrossingsPerSecond(Wav), 860, 900);
    }

    [Fact]
    public async Task Without_a_stream_in_the_language_the_default_one_is_taken_with_a_warning()
    {
        var video = MediaFiles.TwoLanguages(_temp.Combine("two languages.mkv"));

        await _run.RunAsync(Pipeline(video, language: "fr"));

        Assert.Equal(1, Metadata.AudioStream!.Index);
        Assert.Contains("default", Metadata.AudioStream.Reason, StringComparison.Ordinal);
        var warning = Assert.Single(_run.Manifest("01_demux").Warnings).Message;
        Assert.Contains("no audio stream is tagged with language 'fr' (tags: ger, eng)", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_and_end_clip_the_audio()
    {
        var video = MediaFiles.Video(_temp.Combine("clip me.mp4"), seconds: 4);

        await _run.RunAsync(Pipeline(video, start: 1.0, end: 2.5));

        using var wav = new WavReader(Wav);
        Assert.InRange(wav.DurationSeconds, 1.48, 1.52);
        Assert.Equal(1.0, Metadata.ClipStart);
        Assert.Equal(2.5, Metadata.ClipEnd);
        var config = _run.Manifest("01_demux").Config;
        Assert.Equal(1.0, config["start"]!.GetValue<double>());
    }

    [Fact]
    public async Task An_end_past_the_end_of_the_file_extracts_to_the_end_with_a_warning()
    {
        var video = MediaFiles.Video(_temp.Combine("short.mp4"), seconds: 2);

        await _run.RunAsync(Pipeline(video, start: "0:01", end: 60L));

        using var wav = new WavReader(Wav);
        Assert.InRange(wav.DurationSeconds, 0.95, 1.05);
        Assert.Contains("config 'end' (60 s) is past the end of short.mp4", Assert.Single(_run.Manifest("01_demux").Warnings).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3.0, 2.0, "config 'end' (2 s) must be after config 'start' (3 s)")]
    [InlineData(-1.0, null, "config 'start' is -1: it must be 0 or more seconds")]
    [InlineData(10.0, null, "config 'start' (10 s) is not before the end of")]
    [InlineData("soon", null, "config 'start' is \"soon\", not a number of seconds")]
    public async Task Bad_start_or_end_fails_naming_the_config_key(object? start, object? end, string expected)
    {
        var video = MediaFiles.Video(_temp.Combine("clip.mp4"), seconds: 2);

        await _run.RunAsync(Pipeline(video, start: start, end: end));

        Assert.Contains(expected, _run.Failure("01_demux"), StringComparison.Ordinal);
        Assert.False(File.Exists(Wav));
    }

    [Theory]
    [InlineData("speech 8k.wav", 8000, 1)]
    [InlineData("song 44k stereo.mp3", 44100, 2)]
    public async Task Audio_only_files_work_and_the_metadata_says_there_is_no_video(string name, int rate, int channels)
    {
        var audio = MediaFiles.Audio(_temp.Combine(name), seconds: 2, sampleRate: rate, channels: channels);

        await _run.RunAsync(Pipeline(audio));

        using var wav = new WavReader(Wav);
        Assert.Equal((16000, 1), (wav.SampleRate, wav.Channels));
        Assert.InRange(wav.DurationSeconds, 1.95, 2.1);
        Assert.False(Metadata.HasVideo);
        Assert.Equal(rate, Metadata.Streams.Single(s => s.Type == "audio").SampleRate);
        Assert.Contains("no stream has a language tag", Metadata.AudioStream!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silent_audio_is_not_an_error()
    {
        var audio = MediaFiles.Audio(_temp.Combine("silence.wav"), seconds: 2, sampleRate: 48000, channels: 2, silent: true);

        await _run.RunAsync(Pipeline(audio));

        Assert.Equal("success", _run.Manifest("01_demux").Status);
        using var wav = new WavReader(Wav);
        Assert.All(wav.ReadRange(0, wav.FrameCount), s => Assert.Equal(0f, s));
    }

    [Fact]
    public async Task A_video_without_audio_fails_listing_its_streams()
    {
        var video = MediaFiles.SilentFilm(_temp.Combine("silent film.mp4"));

        await _run.RunAsync(Pipeline(video));

        Assert.Equal($"{video} has no audio stream (streams: video h264); subtitles need speech audio: use a file with a sound track", _run.Failure("01_demux"));
    }

    [Fact]
    public async Task A_zero_byte_file_fails_as_empty()
    {
        var video = _temp.Combine("empty.mp4");
        File.WriteAllBytes(video, []);

        await _run.RunAsync(Pipeline(video));

        Assert.StartsWith($"{video} is empty (0 bytes)", _run.Failure("01_demux"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_text_file_named_mp4_is_not_a_media_file()
    {
        var video = _temp.Combine("notes.mp4");
        MediaFiles.WriteText(video, "These are my notes about the movie.\nNot a video at all. Ünïcode too.\n");

        await _run.RunAsync(Pipeline(video));

        var reason = _run.Failure("01_demux");
        Assert.StartsWith($"{video} is not a media file ffprobe can read: it looks like a text file (ffprobe: ", reason, StringComparison.Ordinal);
        Assert.Contains("Invalid data found when processing input", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_mp4_cut_in_half_fails_with_ffprobes_error()
    {
        var whole = MediaFiles.Video(_temp.Combine("whole.mp4"), seconds: 3);
        var video = _temp.Combine("half.mp4");
        var bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(video, bytes[..(bytes.Length / 2)]);

        await _run.RunAsync(Pipeline(video));

        var reason = _run.Failure("01_demux");
        Assert.StartsWith($"{video} is not a media file ffprobe can read (ffprobe: ", reason, StringComparison.Ordinal);
        Assert.Contains("moov atom not found", reason, StringComparison.Ordinal); // the index sits at the end, which is gone
        Assert.Contains("truncated or damaged", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_streamable_mp4_fails_when_ffmpeg_cannot_decode_the_rest()
    {
        // With the index at the front ffprobe is satisfied; only decoding finds that half of the data is missing.
        var whole = MediaFiles.Video(_temp.Combine("whole.mp4"), seconds: 6, fastStart: true);
        var video = _temp.Combine("half streamable.mp4");
        var bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(video, bytes[..(bytes.Length / 2)]);

        await _run.RunAsync(Pipeline(video));

        var reason = _run.Failure("01_demux");
        Assert.StartsWith($"{video} is truncated or damaged: only ", reason, StringComparison.Ordinal);
        Assert.Contains("s of 6.0 s of audio could be decoded (ffmpeg: ", reason, StringComparison.Ordinal);
        Assert.Contains("partial file", reason, StringComparison.Ordinal);
        Assert.False(File.Exists(Wav));
    }

    private string Garbled(string name, double fraction)
    {
        var video = MediaFiles.Video(_temp.Combine(name), seconds: 10);
        var bytes = File.ReadAllBytes(video);
        var noise = new Random(7);
        for (var i = 4000; i < 4000 + (int)(bytes.Length * fraction); i++) bytes[i] = (byte)noise.Next(256);
        File.WriteAllBytes(video, bytes);
        return video;
    }

    [Fact]
    public async Task Overwritten_bytes_fail_with_the_count_of_decoding_errors_and_the_last_one()
    {
        var video = Garbled("garbled.mp4", 0.1);

        await _run.RunAsync(Pipeline(video));

        var reason = _run.Failure("01_demux");
        Assert.True(reason.Contains("garbled.mp4 is damaged", StringComparison.Ordinal), reason);
        Assert.Matches(@"^.*garbled\.mp4 is damaged: ffmpeg reported \d+ decoding errors in audio stream #1 \(last: .+\); repair or download the file again, or raise config 'max_decode_errors' \(now 50\) to accept it$", reason);
        Assert.False(File.Exists(Wav));
    }

    [Fact]
    public async Task Decoding_errors_within_max_decode_errors_are_a_warning()
    {
        var video = Garbled("garbled.mp4", 0.1);

        await _run.RunAsync(Pipeline(video, maxDecodeErrors: 100000));

        var manifest = _run.Manifest("01_demux");
        Assert.True(manifest.Status == "success", manifest.StatusReason);
        Assert.Matches(@"^ffmpeg reported \d+ decoding errors in audio stream #1 of garbled\.mp4 \(last: .+\); the audio may have gaps there$", Assert.Single(manifest.Warnings).Message);
        using var wav = new WavReader(Wav);
        Assert.InRange(wav.DurationSeconds, 9.9, 10.1);
    }

    [Fact]
    public async Task A_mostly_overwritten_file_fails_with_ffmpegs_exit_code_and_last_error()
    {
        var video = Garbled("ruined.mp4", 0.85);

        await _run.RunAsync(Pipeline(video));

        var reason = _run.Failure("01_demux");
        Assert.StartsWith($"ffmpeg could not extract audio stream #1 from {video} (exit code ", reason, StringComparison.Ordinal);
        Assert.Contains("Invalid data found when processing input", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audio_that_starts_late_stays_on_the_videos_timeline()
    {
        // The sound starts 1 s into a 4 s video: the WAV starts with 1 s of silence, so speech times match the video.
        var video = _temp.Combine("late sound.mp4");
        MediaFiles.Ffmpeg([
            "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25:duration=4",
            "-itsoffset", "1", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3",
            "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", video,
        ]);

        await _run.RunAsync(Pipeline(video));

        using var wav = new WavReader(Wav);
        Assert.InRange(wav.DurationSeconds, 3.95, 4.05);
        var samples = wav.ReadRange(0, wav.FrameCount);
        Assert.True(samples[..14000].All(s => Math.Abs(s) < 0.01f), "the first 0.9 s are silent");
        Assert.True(samples[17600..20800].Max(Math.Abs) > 0.1f, "the tone (amplitude 1/8) plays from 1.1 s");
    }

    [Fact]
    public async Task Without_ffmpeg_on_path_the_stage_says_how_to_install_it()
    {
        var video = MediaFiles.Video(_temp.Combine("movie.mp4"), seconds: 1);
        var empty = _temp.Combine("empty bin");
        Directory.CreateDirectory(empty);
        var pipeline = new PipelineBuilder("demux", _temp.Path).Config("video", video).Env("PATH", empty)
            .Stage("01_demux", () => new DemuxStage(), s => s.ExternalInput("video", "{config.video}").Output("audio", "audio.wav").Output("metadata", "metadata.json"))
            .Build();

        await _run.RunAsync(pipeline);

        Assert.Equal($"ffmpeg is not installed: not found on PATH ({empty}). Install it with: apt-get install ffmpeg (scripts/setup.sh installs everything)", _run.Failure("01_demux"));
    }

    [Fact]
    public async Task A_missing_file_fails_before_the_stage_runs_naming_the_path()
    {
        var video = _temp.Combine("not here.mp4");

        await _run.RunAsync(Pipeline(video));

        Assert.Equal($"input 'video' (external file) not found: {video}", _run.Failure("01_demux"));
    }
}
