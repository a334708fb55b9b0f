using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

/// <summary>
/// The subtitle job when its remote services are down: TMDB and translation are optional stages, so the job succeeds
/// with a warning naming each, and the spoken-language SRT, WebVTT and muxed video are made without them.
/// </summary>
public sealed class UnreachableServicesTests(UnreachableServicesFixture job) : IClassFixture<UnreachableServicesFixture>
{
    private string JobFile(params string[] parts) => Path.Combine([job.Job, .. parts]);

    private JsonNode Manifest(string stage) => JsonNode.Parse(File.ReadAllText(JobFile(stage, "manifest.json")))!;

    private static string Text(JsonNode? node) => node!.GetValue<string>();

    [Fact]
    public void The_job_succeeds_with_a_warning_naming_the_failed_translation_and_tmdb_stages()
    {
        Assert.True(job.Run.ExitCode == 0, job.Run.All);
        JobAssert.ManifestsAreValid(job.Job);
        var manifest = JsonNode.Parse(File.ReadAllText(JobFile("manifest.json")))!;
        Assert.Equal("success", Text(manifest["status"]));
        Assert.Equal(["02_tmdb", "10_translation"], manifest["warnings"]!.AsArray().Select(w => Text(w!["stage_id"])));

        var log = File.ReadAllText(Directory.GetFiles(JobFile("logs"), "99_pipeline_*.log").Single());
        var lastLine = log.TrimEnd('\n').Split('\n')[^1];
        Assert.Contains("[WARNING] Pipeline subtitles: SUCCESS (", lastLine, StringComparison.Ordinal);
        Assert.Contains("optional stages failed: 02_tmdb (cannot reach TMDB at ", lastLine, StringComparison.Ordinal);
        Assert.Contains("10_translation (", lastLine, StringComparison.Ordinal);
        Assert.Contains("answered HTTP 503", lastLine, StringComparison.Ordinal);
        Assert.Matches(@"10_translation\s+failed \(optional\)", job.Run.Stdout);
        Assert.Contains("Warning:      optional stage 10_translation failed: ", job.Run.Stdout, StringComparison.Ordinal);
        // The key never reaches the records, even in the failure's words.
        Assert.DoesNotContain("0123456789abcdef0123456789abcdef", log, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_failure_is_recorded_with_its_error_and_the_stages_after_it_ran_without_its_output()
    {
        Assert.True(job.TranslationRequests > 0, "the translation server was never asked");
        var translation = Manifest("10_translation");
        Assert.Equal("failed", Text(translation["status"]));
        Assert.Contains("HTTP 503", Text(translation["errors"]![0]!["message"]), StringComparison.Ordinal);
        var tmdb = Manifest("02_tmdb");
        Assert.Equal("failed", Text(tmdb["status"]));
        Assert.Contains("cannot reach TMDB", Text(tmdb["status_reason"]), StringComparison.Ordinal);

        // The glossary is made without TMDB's names, the subtitles without the translation.
        Assert.Equal("success", Text(Manifest("03_glossary_load")["status"]));
        Assert.Equal("tmdb", Text(Manifest("03_glossary_load")["absent_inputs"]![0]!["name"]));
        var subtitles = Manifest("11_subtitle_generation");
        Assert.Equal("success", Text(subtitles["status"]));
        var absent = subtitles["absent_inputs"]!.AsArray().Single()!;
        Assert.Equal("translation", Text(absent["name"]));
        Assert.StartsWith("10_translation failed (", Text(absent["reason"]), StringComparison.Ordinal);
        Assert.Equal("success", Text(Manifest("12_mux")["status"]));
    }

    [Fact]
    public void The_spoken_language_srt_vtt_and_muxed_video_are_made_and_no_translated_track()
    {
        Assert.NotEmpty(Srt.Parse(JobFile("11_subtitle_generation", "subtitles.srt")));
        var vtt = File.ReadAllText(JobFile("11_subtitle_generation", "subtitles.vtt"));
        Assert.StartsWith("WEBVTT", vtt, StringComparison.Ordinal);
        Assert.Contains(" --> ", vtt, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(JobFile("11_subtitle_generation"), "subtitles.de.*"));
        var tracks = JsonNode.Parse(File.ReadAllText(JobFile("11_subtitle_generation", "tracks.json")))!["tracks"]!.AsArray();
        Assert.Equal(["en"], tracks.Select(t => Text(t!["language"])));

        var video = Directory.GetFiles(JobFile("12_mux"), "*.subtitled.*").Single();
        var streams = Tool.Run("ffprobe", "-v", "error", "-select_streams", "s", "-show_entries", "stream=codec_name:stream_tags=language",
            "-of", "csv=p=0", video).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["mov_text,eng"], streams);
    }
}
