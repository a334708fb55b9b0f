using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Media.Model;
using Waybill.Media.Sample;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

/// <summary>The reference job end to end on the generated sample, checked against its ground truth.</summary>
public sealed class SubtitleJobTests(SubtitleJobFixture job) : IClassFixture<SubtitleJobFixture>
{
    private static readonly string[] StageIds =
    [
        "01_demux", "02_tmdb", "03_glossary_load", "04_source_separation", "05_vad", "06_asr", "07_alignment",
        "08_lyrics_detection", "09_hallucination_removal", "10_translation", "11_subtitle_generation", "12_mux",
    ];

    private string StageFile(string stage, string file) => Path.Combine(job.Job, stage, file);

    private JsonObject Manifest(string stage) => JsonNode.Parse(File.ReadAllText(StageFile(stage, "manifest.json")))!.AsObject();

    private SampleTruth Truth => job.Sample.Facts;

    [Fact]
    public void The_job_succeeds_with_every_stage_logged_and_every_manifest_valid()
    {
        Assert.True(job.Run.ExitCode == 0, job.Run.All);
        foreach (var stage in StageIds)
        {
            Assert.True(File.Exists(StageFile(stage, "stage.log")), $"{stage}/stage.log missing");
            Assert.True(File.Exists(StageFile(stage, "manifest.json")), $"{stage}/manifest.json missing");
        }
        JobAssert.ManifestsAreValid(job.Job);
        // Without a key, translation target and separation backend these three skip, with their reasons.
        Assert.Equal("no TMDB_API_KEY set", Manifest("02_tmdb")["status_reason"]!.GetValue<string>());
        Assert.Equal("disabled", Manifest("04_source_separation")["status_reason"]!.GetValue<string>());
        Assert.Equal("skipped", Manifest("10_translation")["status"]!.GetValue<string>());
        Assert.Equal("success", Manifest("12_mux")["status"]!.GetValue<string>());
    }

    [Fact]
    public void Each_stage_reads_exactly_what_its_upstream_stage_wrote()
    {
        var edges = 0;
        foreach (var stage in StageIds)
        {
            foreach (var input in Manifest(stage)["inputs"]!.AsArray().Select(i => i!.AsObject()))
            {
                if (input["from_stage"] is not { } from) continue;
                var producer = Manifest(from.GetValue<string>());
                var output = producer["outputs"]!.AsArray().Select(o => o!.AsObject()).Single(o => o["path"]!.GetValue<string>() == input["path"]!.GetValue<string>());
                Assert.Equal(output["checksum"]!.GetValue<string>(), input["checksum"]!.GetValue<string>());
                edges++;
            }
        }
        Assert.True(edges >= 14, $"only {edges} lineage edges");
    }

    [Fact]
    public void Vad_finds_each_sentence_within_150_ms_of_its_true_boundaries()
    {
        var found = MediaJson.Read<SpeechSegments>(StageFile("05_vad", "segments.json")).Segments;
        foreach (var sentence in Truth.Speech)
        {
            var overlapping = found.Where(s => s.End > sentence.Start && s.Start < sentence.End).ToList();
            Assert.True(overlapping.Count > 0, $"no segment for \"{sentence.Text}\" at {sentence.Start}-{sentence.End}");
            Assert.InRange(overlapping.Min(s => s.Start) - sentence.Start, -0.15, 0.15);
            Assert.InRange(overlapping.Max(s => s.End) - sentence.End, -0.15, 0.15);
        }
        // Nothing is called speech where there is only silence.
        var sounding = Truth.Speech.Concat(Truth.Music).ToList();
        Assert.All(found, s => Assert.Contains(sounding, t => s.End > t.Start - 0.15 && s.Start < t.End + 0.15));
    }

    [Fact]
    public void Every_cue_lies_within_half_a_second_of_speech()
    {
        var cues = Srt.Parse(StageFile("11_subtitle_generation", "subtitles.srt"));
        Assert.NotEmpty(cues);
        var spans = Truth.Speech.Concat(Truth.Music).ToList();
        foreach (var cue in cues)
            Assert.True(spans.Any(s => cue.Start >= s.Start - 0.5 && cue.End <= s.End + 0.5), $"cue {cue.Index} ({cue.Start}-{cue.End}) \"{cue.Text}\" is not within 0.5 s of one speech span");
    }

    [Fact]
    public void The_recognised_text_shares_most_words_with_the_script()
    {
        var text = string.Join(' ', Srt.Parse(StageFile("11_subtitle_generation", "subtitles.srt")).Select(c => c.Text));
        var wer = WordErrorRate.Of(Truth.Script, text);
        // PocketSphinx on espeak-ng voices misrecognises many words; the bound leaves a margin over what it achieves.
        Assert.True(wer < 0.7, $"word error rate {wer:0.00} on: {text}");
    }

    [Fact]
    public void PocketSphinx_cues_are_in_sentence_case_with_a_full_stop_at_each_segment_end()
    {
        var config = Manifest("11_subtitle_generation")["config"]!;
        Assert.Equal("auto", config["sentence_case"]!.GetValue<string>());
        Assert.True(config["sentence_case_applied"]!.GetValue<bool>());
        var cues = Srt.Parse(StageFile("11_subtitle_generation", "subtitles.srt")).Where(c => !c.Text.Contains('♪', StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(cues);
        Assert.True(char.IsUpper(cues[0].Text[0]), cues[0].Text);
        // Every spoken segment ends in a cue that ends with a full stop; PocketSphinx itself writes none.
        var segments = MediaJson.Read<Transcript>(StageFile("09_hallucination_removal", "segments.json")).Segments.Where(s => !s.Lyrics).ToList();
        Assert.DoesNotContain(segments, s => s.Text.Contains('.', StringComparison.Ordinal));
        Assert.True(cues.Sum(c => c.Text.Count(ch => ch == '.')) >= segments.Count(s => s.Words.Count > 0) - 1, string.Join(" | ", cues.Select(c => c.Text)));
        Assert.DoesNotContain(cues, c => $" {c.Text} ".Contains(" i ", StringComparison.Ordinal));
    }

    [Fact]
    public void Cues_keep_the_line_length_duration_and_reading_speed_rules()
    {
        var cues = Srt.Parse(StageFile("11_subtitle_generation", "subtitles.srt"));
        for (var i = 0; i < cues.Count; i++)
        {
            var cue = cues[i];
            Assert.Equal(i + 1, cue.Index);
            Assert.InRange(cue.Lines.Count, 1, 2);
            Assert.All(cue.Lines, line => Assert.True(line.Length <= 42, $"cue {cue.Index} line too long: {line}"));
            Assert.InRange(cue.Duration, 0.8 - 0.001, 7 + 0.001);
            Assert.True(cue.Text.Replace("♪", "", StringComparison.Ordinal).Trim().Length / cue.Duration <= 20.001, $"cue {cue.Index} is read at more than 20 characters/s");
            if (i > 0) Assert.True(cues[i - 1].End <= cue.Start, $"cue {cue.Index} overlaps the one before");
        }
        Assert.StartsWith("WEBVTT", File.ReadAllText(StageFile("11_subtitle_generation", "subtitles.vtt")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_muxed_video_has_an_english_subtitle_track_and_the_original_streams()
    {
        var output = Manifest("12_mux")["outputs"]!.AsArray().Select(o => o!.AsObject()).Single(o => o["type"]!.GetValue<string>() == "video");
        var muxed = Path.Combine(job.Job, output["path"]!.GetValue<string>());
        var streams = Tool.Run("ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name:stream_tags=language,handler_name", "-of", "json", muxed);
        var list = JsonNode.Parse(streams)!["streams"]!.AsArray();
        Assert.Contains(list, s => s!["codec_type"]!.GetValue<string>() == "subtitle" && s["codec_name"]!.GetValue<string>() == "mov_text"
            && s["tags"]?["language"]?.GetValue<string>() == "eng" && s["tags"]?["handler_name"]?.GetValue<string>() == "English");
        Assert.Contains(list, s => s!["codec_name"]!.GetValue<string>() == "h264");
        Assert.Contains(list, s => s!["codec_name"]!.GetValue<string>() == "aac");
        Assert.Contains("Subtitles:", job.Run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Video:", job.Run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_melody_is_found_and_not_read_as_speech()
    {
        var regions = MediaJson.Read<MusicRegions>(StageFile("08_lyrics_detection", "music.json")).Regions;
        var melody = Truth.Music.Single();
        var overlap = regions.Sum(r => Math.Max(0, Math.Min(r.End, melody.End) - Math.Max(r.Start, melody.Start)));
        Assert.True(overlap >= 0.7 * (melody.End - melody.Start), $"melody {melody.Start}-{melody.End}; regions: {string.Join(", ", regions)}");
        Assert.All(Truth.Speech, s => Assert.DoesNotContain(regions, r => Math.Min(r.End, s.End) - Math.Max(r.Start, s.Start) > 0.5 * (s.End - s.Start)));
    }

    [Fact]
    public async Task One_stage_of_the_built_in_pipeline_runs_again_as_its_own_process()
    {
        var before = Manifest("07_alignment")["attempt"]!.GetValue<int>();
        var run = await CliProcess.RunAsync(job.Folder, "exec-stage", "sample", "07_alignment", "--out", "out");

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(before + 1, Manifest("07_alignment")["attempt"]!.GetValue<int>());
        Assert.Equal("success", Manifest("07_alignment")["status"]!.GetValue<string>());
    }
}
