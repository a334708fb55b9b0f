using Waybill.Media.Model;
using Waybill.Media.Tools;
using Waybill.Media.Stages.Demux;
using Waybill.Media.Stages.Mux;
using Xunit;

namespace Waybill.Media.Tests.Mux;

public sealed class MuxPlanTests
{
    [Theory]
    [InlineData("Movie.mp4", "Movie.subtitled.mp4", "mp4", "mov_text", false)]
    [InlineData("Movie.M4V", "Movie.subtitled.M4V", "mp4", "mov_text", false)]
    [InlineData("Clip.mov", "Clip.subtitled.mov", "mov", "mov_text", false)]
    [InlineData("The.Movie.2019.mkv", "The.Movie.2019.subtitled.mkv", "matroska", "srt", false)]
    [InlineData("clip.webm", "clip.subtitled.mkv", "matroska", "srt", true)]
    [InlineData("old.avi", "old.subtitled.mkv", "matroska", "srt", true)]
    public void The_container_decides_the_subtitle_codec(string name, string output, string muxer, string codec, bool warns)
    {
        var plan = MuxPlan.For(name);
        Assert.Equal((output, muxer, codec, warns), (plan.OutputName, plan.Muxer, plan.SubtitleCodec, plan.Warning is not null));
    }

    [Fact]
    public void New_subtitle_streams_are_numbered_after_the_existing_ones()
    {
        var args = MuxPlan.For("a.mkv").Arguments("a.mkv", [new("en.srt", "eng", "English"), new("de.srt", "deu", "German")], 1, "out.mkv");
        var text = string.Join(' ', args);
        Assert.Contains("-i a.mkv -i en.srt -i de.srt -map 0 -map 1:s:0 -map 2:s:0 -ignore_unknown -c copy", text, StringComparison.Ordinal);
        Assert.Contains("-c:s:1 srt -metadata:s:s:1 language=eng -metadata:s:s:1 title=English -c:s:2 srt -metadata:s:s:2 language=deu", text, StringComparison.Ordinal);
        Assert.EndsWith("-f matroska out.mkv", text, StringComparison.Ordinal);
    }

    private static StreamInfo S(string type, string codec, string? language = null, string? title = null, string? handler = null) =>
        new() { Type = type, Codec = codec, Language = language, Title = title, HandlerName = handler };

    [Fact]
    public void Mp4_and_mov_name_the_track_by_its_handler_and_mkv_by_its_title()
    {
        SubtitleInput[] german = [new("de.srt", "deu", "German")];
        Assert.Contains("-metadata:s:s:0 language=deu -metadata:s:s:0 handler_name=German -movflags", string.Join(' ', MuxPlan.For("a.mp4").Arguments("a.mp4", german, 0, "o.mp4")), StringComparison.Ordinal);
        Assert.Contains("-metadata:s:s:0 language=deu -metadata:s:s:0 title=German -f matroska", string.Join(' ', MuxPlan.For("a.mkv").Arguments("a.mkv", german, 0, "o.mkv")), StringComparison.Ordinal);
        // QuickTime's language table holds German as 'ger' (ffmpeg drops 'deu' in a MOV), French as 'fra'.
        Assert.Contains("language=ger -metadata:s:s:0 handler_name=German", string.Join(' ', MuxPlan.For("a.mov").Arguments("a.mov", german, 0, "o.mov")), StringComparison.Ordinal);
        Assert.Equal("fra", MuxPlan.For("a.mov").LanguageTag("fra"));
        Assert.Equal("deu", MuxPlan.For("a.mp4").LanguageTag("deu"));
    }

    [Fact]
    public void A_track_that_lost_its_name_fails_verification_and_a_mov_without_a_language_code_only_warns()
    {
        StreamInfo[] original = [S("video", "h264"), S("audio", "aac")];
        SubtitleInput[] german = [new("de.srt", "deu", "German")];
        Assert.Equal("new subtitle stream 1 (deu) is named 'SubtitleHandler', expected 'German'",
            MuxPlan.For("a.mp4").Verify(original, [.. original, S("subtitle", "mov_text", "deu", handler: "SubtitleHandler")], german));
        Assert.Equal("new subtitle stream 1 (deu) is named '', expected 'German'",
            MuxPlan.For("a.mkv").Verify(original, [.. original, S("subtitle", "subrip", "deu")], german));

        SubtitleInput[] swedish = [new("sv.srt", "swe", "Swedish")];
        StreamInfo[] untagged = [.. original, S("subtitle", "mov_text", handler: "Swedish")];
        Assert.Null(MuxPlan.For("a.mov").Verify(original, untagged, swedish));
        Assert.Contains("QuickTime's language table has no code for 'swe'", Assert.Single(MuxPlan.For("a.mov").Limitations(untagged, swedish)), StringComparison.Ordinal);
        Assert.Empty(MuxPlan.For("a.mp4").Limitations(untagged, swedish));
    }

    [Fact]
    public void Verification_catches_changed_streams_and_wrong_tags()
    {
        var plan = MuxPlan.For("a.mp4");
        StreamInfo[] original = [S("video", "h264"), S("audio", "aac", "eng")];
        SubtitleInput[] subs = [new("en.srt", "eng", "English")];

        Assert.Null(plan.Verify(original, [S("video", "h264"), S("audio", "aac"), S("subtitle", "mov_text", "eng", handler: "English")], subs));
        Assert.Contains("the video and audio streams changed", plan.Verify(original, [S("video", "hevc"), S("audio", "aac"), S("subtitle", "mov_text", "eng")], subs), StringComparison.Ordinal);
        Assert.Contains("the video and audio streams changed", plan.Verify(original, [S("video", "h264"), S("subtitle", "mov_text", "eng")], subs), StringComparison.Ordinal);
        Assert.Equal("the result has 0 subtitle streams, expected 1 (0 from the original + 1 new)", plan.Verify(original, [S("video", "h264"), S("audio", "aac")], subs));
        Assert.Equal("new subtitle stream 1 is tagged 'und', expected 'eng'", plan.Verify(original, [S("video", "h264"), S("audio", "aac"), S("subtitle", "mov_text")], subs));
        Assert.Equal("new subtitle stream 1 (eng) is subrip, expected mov_text", plan.Verify(original, [S("video", "h264"), S("audio", "aac"), S("subtitle", "subrip", "eng")], subs));
        Assert.Null(MuxPlan.For("a.mkv").Verify(original, [S("video", "h264"), S("audio", "aac"), S("subtitle", "subrip", "ger", title: "German")], [new("de.srt", "deu", "German")]));
    }
}
