using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

/// <summary>A season as one job: each video runs its own chain of stages; the broken one fails alone.</summary>
public sealed class SeasonTests(SeasonFixture season) : IClassFixture<SeasonFixture>
{
    private static readonly string[] StageIds =
    [
        "01_demux", "02_tmdb", "03_glossary_load", "04_source_separation", "05_vad", "06_asr", "07_alignment",
        "08_lyrics_detection", "09_hallucination_removal", "10_translation", "11_subtitle_generation", "12_mux",
    ];

    private string ItemFolder(string stage, string key) => Path.Combine(season.Job, stage, key);

    private JsonObject Manifest(string stage, string key) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(ItemFolder(stage, key), "manifest.json")))!.AsObject();

    private static string Text(JsonNode? node) => node!.GetValue<string>();

    [Fact]
    public void The_job_fails_because_one_video_failed_and_every_manifest_is_valid()
    {
        Assert.True(season.Run.ExitCode == 1, season.Run.All);
        Assert.Contains("Videos:       3 of 4 subtitled, 1 failed", season.Run.Stdout, StringComparison.Ordinal);
        foreach (var stage in StageIds)
            Assert.Equal(["broken", .. SeasonFixture.Good],
                Directory.GetDirectories(Path.Combine(season.Job, stage)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        JobAssert.ManifestsAreValid(season.Job);
    }

    [Fact]
    public void Every_good_video_gets_valid_srt_vtt_and_a_muxed_video_with_a_subtitle_track()
    {
        foreach (var key in SeasonFixture.Good)
        {
            Assert.All(StageIds, stage => Assert.NotEqual("failed", Text(Manifest(stage, key)["status"])));
            var cues = Srt.Parse(Path.Combine(ItemFolder("11_subtitle_generation", key), "subtitles.srt"));
            Assert.NotEmpty(cues);
            var vtt = File.ReadAllText(Path.Combine(ItemFolder("11_subtitle_generation", key), "subtitles.vtt"));
            Assert.StartsWith("WEBVTT", vtt, StringComparison.Ordinal);
            Assert.Contains(" --> ", vtt, StringComparison.Ordinal);
            var mux = Manifest("12_mux", key);
            Assert.Equal("success", Text(mux["status"]));
            var muxed = Path.Combine(season.Job, Text(mux["outputs"]![0]!["path"]));
            var extension = Path.GetExtension(season.Videos[key]);
            Assert.Equal(extension, Path.GetExtension(muxed));
            var codec = Tool.Run("ffprobe", "-v", "error", "-select_streams", "s", "-show_entries", "stream=codec_name", "-of", "csv=p=0", muxed);
            Assert.Contains(extension == ".mkv" ? "subrip" : "mov_text", codec, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Each_chain_reads_its_own_video_and_its_own_items_upstream()
    {
        foreach (var (key, video) in season.Videos.Where(v => v.Key != "broken"))
        {
            var demux = Manifest("01_demux", key);
            Assert.Equal(key, Text(demux["item"]!["key"]));
            var input = Assert.Single(demux["inputs"]!.AsArray());
            Assert.Equal(("video", video), (Text(input!["name"]), Text(input["path"])));
            Assert.Equal(video, Text(Manifest("12_mux", key)["inputs"]!.AsArray().Single(i => i!["name"]?.GetValue<string>() == "video")!["path"]));
            foreach (var stage in StageIds)
                foreach (var upstream in Manifest(stage, key)["inputs"]!.AsArray().Where(i => i!["from_stage"] is not null))
                    Assert.EndsWith($"[{key}]", Text(upstream!["from_stage"]), StringComparison.Ordinal);
        }
        // Different lengths in, different lengths out: each chain demuxed its own file.
        var seconds = SeasonFixture.Good.Select(k => Manifest("01_demux", k)["resources"]!["audio_seconds"]!.GetValue<double>()).ToList();
        Assert.Equal(3, seconds.Distinct().Count());
    }

    [Fact]
    public void The_broken_video_fails_its_own_chain_with_its_error_in_its_manifest_and_the_pipeline_log()
    {
        const string Error = "is not a media file";
        var demux = Manifest("01_demux", "broken");
        Assert.Equal("failed", Text(demux["status"]));
        Assert.Contains(demux["errors"]!.AsArray(), e => Text(e!["message"]).Contains(Error, StringComparison.Ordinal));
        Assert.Contains(Error, File.ReadAllText(Path.Combine(ItemFolder("01_demux", "broken"), "stage.log")), StringComparison.Ordinal);
        foreach (var stage in StageIds.Skip(1))
        {
            var manifest = Manifest(stage, "broken");
            Assert.Equal("skipped", Text(manifest["status"]));
            Assert.StartsWith("upstream failed", Text(manifest["status_reason"]), StringComparison.Ordinal);
        }
        var log = File.ReadAllText(Directory.GetFiles(Path.Combine(season.Job, "logs"), "99_pipeline_*.log").Single());
        Assert.Contains(log.Split('\n'),
            l => l.Contains("[stage.demux:broken] [ERROR]", StringComparison.Ordinal) && l.Contains(Error, StringComparison.Ordinal));
        Assert.Contains("[stage.asr:episode-02]", log, StringComparison.Ordinal);
    }

    [Fact]
    public void The_summary_has_one_row_per_video_and_lists_each_videos_files()
    {
        var lines = season.Run.Stdout.Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith("VIDEO", StringComparison.Ordinal));
        Assert.True(header >= 0, season.Run.Stdout);
        var rows = lines[(header + 1)..(header + 5)].Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        // In the order given: episode 01, episode 02, the pilot from another folder, the broken file.
        Assert.Equal([.. SeasonFixture.Good, "broken"], rows.Select(r => r[0]));
        foreach (var row in rows.Take(3)) Assert.Equal(["success", "12/12", "1"], row[1..4]);
        Assert.Equal(["failed", "0/12", "0"], rows[3][1..4]);
        Assert.Equal("1", rows[3][5]);
        Assert.Contains("broken.mp4: 01_demux[broken]", lines[header + 4], StringComparison.Ordinal);
        Assert.Contains("is not a media file", lines[header + 4], StringComparison.Ordinal);

        var stdout = season.Run.Stdout;
        foreach (var key in SeasonFixture.Good)
        {
            Assert.Contains($"Video {key}:", stdout, StringComparison.Ordinal);
            Assert.Contains(Path.Combine("out", "season", "11_subtitle_generation", key, "subtitles.srt"), stdout, StringComparison.Ordinal);
            Assert.Contains(Path.Combine("out", "season", "11_subtitle_generation", key, "subtitles.vtt"), stdout, StringComparison.Ordinal);
            Assert.Contains(Path.Combine("out", "season", "12_mux", key, Path.GetFileNameWithoutExtension(season.Videos[key]) + ".subtitled"),
                stdout, StringComparison.Ordinal);
        }
        Assert.Contains($"Video broken: no files; see {Path.Combine("out", "season", "01_demux", "broken", "stage.log")}", stdout,
            StringComparison.Ordinal);
    }
}
