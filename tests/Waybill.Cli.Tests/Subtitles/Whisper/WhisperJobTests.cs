using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Waybill.Cli.Tests.Support;
using Waybill.Media.Model;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles.Whisper;

/// <summary>
/// The reference job with Whisper: a generated tiny model (random weights, real ggml format) is loaded by whisper.cpp
/// through Whisper.net in the real CLI. Its words are nonsense, so these check structure, timing and records, never text.
/// </summary>
public sealed partial class WhisperJobTests(WhisperJobFixture job) : IClassFixture<WhisperJobFixture>
{
    // The ASR stage's default context_ms: a segment may reach this far beyond its speech region.
    private const double Context = 0.25 + 0.001;

    private string StageFile(string stage, string file) => Path.Combine(job.Job, stage, file);

    private JsonObject Manifest(string stage) => JsonNode.Parse(File.ReadAllText(StageFile(stage, "manifest.json")))!.AsObject();

    private List<SpeechSegment> Speech => MediaJson.Read<SpeechSegments>(StageFile("05_vad", "segments.json")).Segments;

    [Fact]
    public void Auto_picks_whisper_for_the_model_in_the_model_folder_and_says_which()
    {
        Assert.True(job.Run.ExitCode == 0, job.Run.All);
        JobAssert.ManifestsAreValid(job.Job);
        var asr = Manifest("06_asr");
        Assert.Equal("auto", asr["config"]!["requested_backend"]!.GetValue<string>());
        Assert.Equal("whisper", asr["config"]!["backend"]!.GetValue<string>());
        Assert.Equal("whisper", asr["resources"]!["backend"]!.GetValue<string>());
        Assert.Equal("ggml models: ggml-tiny.bin", asr["tool_versions"]!["whisper_models"]!.GetValue<string>());
        Assert.Contains($"ASR backend auto: whisper with model tiny ({job.ModelPath})", job.Run.All, StringComparison.Ordinal);
        Assert.Contains("Speech:       whisper (ggml-tiny.bin)", job.Run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_speech_region_is_decoded_and_each_segment_and_word_lies_in_its_decode_window()
    {
        var speech = Speech;
        var transcript = MediaJson.Read<Transcript>(StageFile("06_asr", "segments.json"));
        Assert.Equal("whisper", transcript.Backend);
        Assert.Equal("en", transcript.Language);
        Assert.Equal(speech.Count, Manifest("06_asr")["resources"]!["segments_decoded"]!.GetValue<int>());
        Assert.NotEmpty(transcript.Segments);
        foreach (var segment in transcript.Segments)
        {
            Assert.True(speech.Any(s => segment.Start >= s.Start - Context && segment.End <= s.End + Context),
                $"segment {segment.Id} {segment.Start}-{segment.End} lies outside every speech region and its context");
            Assert.NotEmpty(segment.Words);
            Assert.All(segment.Words, w => Assert.True(w.Start <= w.End && w.Start >= segment.Start && w.End <= segment.End,
                $"word {w.Text} {w.Start}-{w.End} outside its segment {segment.Start}-{segment.End}"));
            Assert.Equal(segment.Words.OrderBy(w => w.Start).Select(w => w.Start), segment.Words.Select(w => w.Start));
        }
        // Alignment read the words with their times.
        Assert.NotEmpty(MediaJson.Read<WordTimeline>(StageFile("07_alignment", "words.json")).Words);
    }

    [Fact]
    public void The_manifest_records_the_model_by_sha256_and_the_runtime_that_ran_it()
    {
        var asr = Manifest("06_asr");
        var model = asr["inputs"]!.AsArray().Select(i => i!.AsObject()).Single(i => i["name"]?.GetValue<string>() == "whisper_model");
        Assert.Equal(job.ModelPath, model["path"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(job.ModelPath))), model["sha256"]!.GetValue<string>());
        Assert.Equal(new FileInfo(job.ModelPath).Length, model["size_bytes"]!.GetValue<long>());
        Assert.Equal("f16", model["quantisation"]!.GetValue<string>());
        Assert.True(model["multilingual"]!.GetValue<bool>());
        Assert.Equal("tiny", model["model"]!.GetValue<string>());
        Assert.Equal("tiny", asr["config"]!["model"]!.GetValue<string>());

        Assert.Matches(RuntimeVersion(), asr["tool_versions"]!["whisper.cpp"]!.GetValue<string>());
        Assert.Contains("CPU :", asr["resources"]!["whisper_system_info"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.InRange(asr["resources"]!["model_load_seconds"]!.GetValue<double>(), 0.0001, 60);
        Assert.InRange(asr["resources"]!["real_time_factor"]!.GetValue<double>(), 0.0001, 20);
        Assert.Equal(2, asr["resources"]!["workers"]!.GetValue<int>());
        var log = File.ReadAllText(StageFile("06_asr", "stage.log"));
        Assert.Contains("loaded Whisper model tiny (f16", log, StringComparison.Ordinal);
        Assert.Matches(@"recognised \d+ words in \d+ of \d+ segments \([0-9.]+ s, real-time factor [0-9.]+\)", log);
    }

    [Fact]
    public void The_glossary_terms_are_the_initial_prompt()
    {
        Assert.Equal(string.Join(", ", WhisperJobFixture.Terms), Manifest("06_asr")["config"]!["prompt"]!.GetValue<string>());
        Assert.Contains(Manifest("06_asr")["inputs"]!.AsArray(), i => i!["name"]!.GetValue<string>() == "glossary");
    }

    [Fact]
    public void The_job_leaves_valid_srt_vtt_and_a_muxed_video_with_the_subtitle_track()
    {
        var speech = Speech;
        var cues = Srt.Parse(StageFile("11_subtitle_generation", "subtitles.srt"));
        Assert.NotEmpty(cues);
        // Subtitle generation may stretch a short cue to its minimum duration; it still starts in a decode window.
        Assert.All(cues, c => Assert.Contains(speech, s => c.Start >= s.Start - Context && c.Start <= s.End + Context));
        Assert.StartsWith("WEBVTT", File.ReadAllText(StageFile("11_subtitle_generation", "subtitles.vtt")), StringComparison.Ordinal);

        var output = Manifest("12_mux")["outputs"]!.AsArray().Select(o => o!.AsObject()).Single(o => o["type"]!.GetValue<string>() == "video");
        var streams = Tool.Run("ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "json", Path.Combine(job.Job, output["path"]!.GetValue<string>()));
        Assert.Contains(JsonNode.Parse(streams)!["streams"]!.AsArray(), s => s!["codec_type"]!.GetValue<string>() == "subtitle");
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+ \(Whisper\.net \d+\.\d+\.\d+; CPU: [A-Z0-9_ ]*\)$")]
    private static partial Regex RuntimeVersion();
}
