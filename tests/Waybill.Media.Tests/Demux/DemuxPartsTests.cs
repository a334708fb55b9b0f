using Waybill.Media.Model;
using Waybill.Media.Tools;
using System.Text.Json.Nodes;
using Waybill.Core.Stages;
using Waybill.Media.Stages.Demux;
using Xunit;

namespace Waybill.Media.Tests.Demux;

/// <summary>The plain parts of 01_demux: clip range, languages, stream choice, ffprobe JSON, ffmpeg log lines.</summary>
public sealed class DemuxPartsTests
{
    [Theory]
    [InlineData("90", 90.0)]
    [InlineData("90.5", 90.5)]
    [InlineData("1:30", 90.0)]
    [InlineData("01:02:03.5", 3723.5)]
    [InlineData("1:75", null)]
    [InlineData("1.5:30", null)]
    [InlineData("soon", null)]
    [InlineData("1:2:3:4", null)]
    public void Clip_times_parse_as_seconds_or_clock_times(string text, double? expected) => Assert.Equal(expected, ClipRange.Parse(text));

    [Fact]
    public void Clip_range_accepts_numbers_strings_and_nulls()
    {
        Assert.Equal(new ClipRange(null, null), ClipRange.FromConfig(null, null, 100, "f"));
        Assert.Equal(new ClipRange(null, null), ClipRange.FromConfig(JsonValue.Create(""), null, 100, "f"));
        Assert.Equal(new ClipRange(5, 20.5), ClipRange.FromConfig(JsonValue.Create(5L), JsonValue.Create(20.5), 100, "f"));
        Assert.Equal(new ClipRange(90, null), ClipRange.FromConfig(JsonValue.Create("1:30"), null, null, "f"));
        Assert.Equal(new ClipRange(null, 10), ClipRange.FromConfig(JsonValue.Create(0L), JsonValue.Create(10L), 100, "f"));
        Assert.Equal(15, new ClipRange(5, 20).Length(100));
        Assert.Equal(95, new ClipRange(5, null).Length(100));
        Assert.Equal(5, new ClipRange(5, 200).Length(10));
        Assert.Null(new ClipRange(5, null).Length(null));
    }

    [Fact]
    public void Clip_range_problems_name_the_key()
    {
        Assert.Contains("config 'end' is -2", Assert.Throws<StageFailedException>(() => ClipRange.FromConfig(null, JsonValue.Create(-2L), 100, "f")).Message, StringComparison.Ordinal);
        Assert.Contains("config 'end' is 0", Assert.Throws<StageFailedException>(() => ClipRange.FromConfig(null, JsonValue.Create(0L), 100, "f")).Message, StringComparison.Ordinal);
        Assert.Contains("config 'end' (5 s) must be after config 'start' (5 s)", Assert.Throws<StageFailedException>(() => ClipRange.FromConfig(JsonValue.Create(5L), JsonValue.Create(5L), 100, "f")).Message, StringComparison.Ordinal);
        Assert.Contains("config 'start' (100 s) is not before the end of movie.mkv (duration 100 s)", Assert.Throws<StageFailedException>(() => ClipRange.FromConfig(JsonValue.Create(100L), null, 100, "movie.mkv")).Message, StringComparison.Ordinal);
        Assert.Contains("config 'start' is [1,2]", Assert.Throws<StageFailedException>(() => ClipRange.FromConfig(new JsonArray(1, 2), null, 100, "f")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "eng")]
    [InlineData("EN", "eng")]
    [InlineData("en-US", "eng")]
    [InlineData("pt_BR", "por")]
    [InlineData("de", "deu")]
    [InlineData("ger", "deu")]
    [InlineData("fre", "fra")]
    [InlineData("chi", "zho")]
    [InlineData("tlh", "tlh")]
    [InlineData("", null)]
    [InlineData("x", null)]
    public void Language_codes_map_to_iso_639_2(string code, string? expected) => Assert.Equal(expected, IsoLanguage.ToIso6392(code));

    [Fact]
    public void Languages_match_across_code_forms()
    {
        Assert.True(IsoLanguage.SameLanguage("en", "eng"));
        Assert.True(IsoLanguage.SameLanguage("deu", "ger"));
        Assert.False(IsoLanguage.SameLanguage("en", "deu"));
        Assert.False(IsoLanguage.SameLanguage(null, null));
        Assert.Equal("German", IsoLanguage.Name("ger"));
    }

    private static StreamInfo Audio(int index, string? language, bool isDefault = false) => new() { Index = index, Type = "audio", Codec = "aac", Language = language, Default = isDefault };

    [Fact]
    public void The_stream_in_the_language_wins_then_the_default_then_the_first()
    {
        StreamInfo[] streams = [new() { Index = 0, Type = "video" }, Audio(1, "ger", isDefault: true), Audio(2, "eng"), Audio(3, "eng")];

        var (english, none) = AudioStreamChooser.Choose(streams, "en");
        Assert.Equal((2, 1, "eng"), (english.Index, english.AudioIndex, english.Language));
        Assert.Null(none);

        var (french, warning) = AudioStreamChooser.Choose(streams, "fr");
        Assert.Equal(1, french.Index);
        Assert.Contains("'fr' (tags: ger, eng)", warning, StringComparison.Ordinal);

        var (first, quiet) = AudioStreamChooser.Choose([Audio(0, null), Audio(1, null)], "en");
        Assert.Equal(0, first.Index);
        Assert.Equal("the first audio stream (no stream has a language tag)", first.Reason);
        Assert.Null(quiet);

        Assert.Equal(1, AudioStreamChooser.Choose(streams, "").Choice.Index);
    }

    [Fact]
    public void Ffprobe_json_becomes_metadata()
    {
        const string json = """
        {
            "streams": [
                { "index": 0, "codec_name": "h264", "codec_type": "video", "width": 1920, "height": 1080, "avg_frame_rate": "24000/1001", "r_frame_rate": "24000/1001", "disposition": { "default": 1, "attached_pic": 0 }, "tags": { "language": "und" } },
                { "index": 1, "codec_name": "ac3", "codec_type": "audio", "sample_rate": "48000", "channels": 6, "duration": "5403.2", "disposition": { "default": 1 }, "tags": { "LANGUAGE": "eng", "title": "Surround" } },
                { "index": 2, "codec_name": "subrip", "codec_type": "subtitle", "tags": { "language": "ger" } }
            ],
            "format": { "filename": "m.mkv", "format_name": "matroska,webm", "format_long_name": "Matroska / WebM", "duration": "5403.250000", "size": "123", "bit_rate": "8000000" }
        }
        """;
        var path = Path.GetTempFileName();
        try
        {
            var metadata = MediaProbe.Parse(json, path);
            Assert.Equal("matroska,webm", metadata.Format);
            Assert.Equal(5403.25, metadata.Duration);
            Assert.Equal(8000000, metadata.BitRate);
            Assert.True(metadata.HasVideo);
            Assert.Equal(23.976, metadata.Streams[0].FrameRate);
            Assert.Null(metadata.Streams[0].Language);
            Assert.Equal(("eng", "Surround", 6, 48000, 5403.2), (metadata.Streams[1].Language, metadata.Streams[1].Title, metadata.Streams[1].Channels, metadata.Streams[1].SampleRate, metadata.Streams[1].Duration));
            Assert.Equal("video h264, audio ac3 (eng), subtitle subrip (ger)", MediaProbe.Describe(metadata.Streams));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Cover_art_is_not_video()
    {
        const string json = """{ "streams": [ { "index": 0, "codec_name": "mp3", "codec_type": "audio" }, { "index": 1, "codec_name": "mjpeg", "codec_type": "video", "disposition": { "attached_pic": 1 } } ], "format": { "format_name": "mp3" } }""";
        var path = Path.GetTempFileName();
        try
        {
            var metadata = MediaProbe.Parse(json, path);
            Assert.False(metadata.HasVideo);
            Assert.True(metadata.Streams[1].CoverArt);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Ffmpeg_lines_are_classified_by_level_and_errors_lose_their_addresses()
    {
        var run = new FfmpegRun(new Waybill.Core.Processes.ProcessResult(1, null, TimeSpan.Zero, TimeSpan.Zero, 0, TimeSpan.Zero, false, 1));
        Assert.Equal("exit code 1, no error message", run.LastError);
        run.Observe("[info] Stream #0:1 -> #0:0 (aac (native) -> pcm_s16le (native))");
        run.Observe("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55a736118900] [warning] Packet corrupt (stream = 1, dts = 63488).");
        run.Observe("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x562a505348c0] [error] moov atom not found");
        run.Observe("[error] half.mp4: Invalid data found when processing input");
        run.Observe("plain line without a level");
        Assert.Equal(2, run.ErrorCount);
        Assert.Equal(["mov,mp4,m4a,3gp,3g2,mj2: moov atom not found", "half.mp4: Invalid data found when processing input"], run.Errors);
        Assert.Equal("half.mp4: Invalid data found when processing input", run.LastError);
        Assert.Equal("mov,mp4,m4a,3gp,3g2,mj2: moov atom not found; half.mp4: Invalid data found when processing input", run.ErrorSummary);
        run.Observe("[fatal] Conversion failed!");
        Assert.Equal("mov,mp4,m4a,3gp,3g2,mj2: moov atom not found; …; Conversion failed!", run.ErrorSummary);
    }
}
