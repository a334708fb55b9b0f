using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Waybill.Media.Model;
using Waybill.Media.Stages.Hallucinations;
using Waybill.Tests.Support;
using Xunit;
using static Waybill.Media.Tests.Hallucinations.HallucinationFilterTests;

namespace Waybill.Media.Tests.Hallucinations;

/// <summary>09_hallucination_removal run as a job: files, removals with their rules in the log, counts in the manifest.</summary>
public sealed class HallucinationRemovalStageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<RunResult> Run(List<TranscriptSegment> segments, List<SpeechSegment> speech, List<MusicRegion> music, string stageConfig = "")
    {
        MediaJson.Write(_temp.Combine("transcript.json"), new Transcript { Backend = "pocketsphinx", Language = "en", Duration = 60, Segments = segments });
        MediaJson.Write(_temp.Combine("words.json"), new WordTimeline { Language = "en", Words = Aligned(segments) });
        MediaJson.Write(_temp.Combine("speech.json"), new SpeechSegments { SampleRate = 16000, Duration = 60, Threshold = 0.5, Segments = speech });
        MediaJson.Write(_temp.Combine("music.json"), new MusicRegions { Features = ["flatness"], FrameSeconds = 0.02, Regions = music });
        var yaml = $"""
            name: cleanup
            stages:
              - id: 01_fixtures
                uses: copy
                inputs:
                  transcript: transcript.json
                  words: words.json
                  speech: speech.json
                  music: music.json
                outputs:
                  transcript: transcript.json
                  words: words.json
                  speech: speech.json
                  music: music.json
              - id: 09_hallucination_removal
                uses: media.hallucination-removal
                inputs:
                  transcript: 01_fixtures.transcript
                  words: 01_fixtures.words
                  speech: 01_fixtures.speech
                  music: 01_fixtures.music
                outputs:
                  segments: {"{"} path: segments.json, type: transcript_segments, format: json {"}"}
                  removed: {"{"} path: removed.json, type: removals, format: json {"}"}
            {stageConfig}
            """;
        var pipeline = PipelineFileLoader.Parse(yaml, _temp.Combine("waybill.yaml"), builtins: BuiltinStages.Default.AddMediaStages());
        var result = await PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1 }, TestContext.Current.CancellationToken);
        JobAssert.ManifestsAreValid(result.JobDir);
        return result;
    }

    private string StageFile(string name) => _temp.Combine("out", "job", "09_hallucination_removal", name);

    [Fact]
    public async Task Removals_are_written_logged_with_their_rule_and_counted_in_the_manifest()
    {
        var segments = new List<TranscriptSegment>
        {
            Segment(0, 1.0, "Get down! Get down! Get down! Get down!"),
            Segment(1, 5.0, "They're coming."),
            Segment(2, 8.0, "They're coming."),
            Segment(3, 11.0, "Thank you for watching."),
            Segment(4, 20.0, "la la la love"),
        };
        var result = await Run(segments, SpeechAround(segments), [new MusicRegion(19.0, 25.0, 0.9)]);

        Assert.Equal(StageStatus.Success, result.Status);
        var cleaned = MediaJson.Read<Transcript>(StageFile("segments.json"));
        Assert.Equal(["Get down!", "They're coming.", "la la la love"], cleaned.Segments.Select(s => s.Text));
        Assert.Equal([false, false, true], cleaned.Segments.Select(s => s.Lyrics));
        Assert.Equal("pocketsphinx", cleaned.Backend);

        var report = MediaJson.Read<RemovalReport>(StageFile("removed.json"));
        Assert.Equal([HallucinationOptions.RepeatedPhrase, HallucinationOptions.RepeatedSegment, HallucinationOptions.KnownPhrase], report.Removals.Select(r => r.Rule));
        Assert.Equal([0, 2, 3], report.Removals.Select(r => r.Segment));
        Assert.Equal(1, report.Counts[HallucinationOptions.RepeatedPhrase]);
        Assert.Equal(0, report.Counts[HallucinationOptions.OutsideSpeech]);
        Assert.Equal(6 + 2 + 4, report.RemovedWords);
        Assert.Equal(2, report.RemovedSegments);

        var manifest = ManifestJson.ReadStage(StageFile("manifest.json"));
        var removed = manifest.Outputs.Single(o => o.Name == "removed");
        var counts = removed.Metadata!["removals"];
        Assert.Equal(1, counts.GetProperty("repeated_segment").GetInt32());
        Assert.Equal(1, counts.GetProperty("known_phrase").GetInt32());
        Assert.Equal(0, counts.GetProperty("implausible").GetInt32());
        Assert.Equal(3, manifest.Outputs.Single(o => o.Name == "segments").Metadata!["segments"].GetInt32());
        Assert.Equal(0.3, manifest.Config["speech_tolerance_seconds"]!.GetValue<double>());
        Assert.Equal(2, manifest.Summary!["removed_segments"]!.GetValue<int>());

        var log = File.ReadAllText(StageFile("stage.log"));
        Assert.Contains("[INFO] removed by repeated_phrase: segment 0 (1.70–3.75 s) \"Get down! Get down! Get down!\"", log);
        Assert.Contains("[INFO] removed by repeated_segment: segment 2", log);
        Assert.Contains("[INFO] removed by known_phrase: segment 3", log);
        Assert.Contains("removed by known_phrase", File.ReadAllText(result.PipelineLog));
    }

    [Fact]
    public async Task Clean_input_passes_through_and_the_manifest_counts_no_removals()
    {
        var segments = new List<TranscriptSegment> { Segment(0, 1.0, "Good morning."), Segment(1, 3.0, "Morning! Coffee?") };
        var result = await Run(segments, SpeechAround(segments), []);

        Assert.Equal(StageStatus.Success, result.Status);
        Assert.Equal(["Good morning.", "Morning! Coffee?"], MediaJson.Read<Transcript>(StageFile("segments.json")).Segments.Select(s => s.Text));
        Assert.Empty(MediaJson.Read<RemovalReport>(StageFile("removed.json")).Removals);
        var manifest = ManifestJson.ReadStage(StageFile("manifest.json"));
        Assert.All(manifest.Outputs.Single(o => o.Name == "removed").Metadata!["removals"].EnumerateObject(), p => Assert.Equal(0, p.Value.GetInt32()));
        Assert.Empty(manifest.Warnings);
    }

    [Fact]
    public async Task Rules_and_thresholds_come_from_the_stage_config_and_an_unknown_rule_fails_clearly()
    {
        var segments = new List<TranscriptSegment> { Segment(0, 1.0, "Thanks for watching!"), Segment(1, 3.0, "Hi hi hi") };
        var config = """
                config:
                  rules: [repeated_phrase]
                  repeat_min_count_single_word: 3
            """;
        await Run(segments, SpeechAround(segments), [], config);
        Assert.Equal(["Thanks for watching!", "Hi"], MediaJson.Read<Transcript>(StageFile("segments.json")).Segments.Select(s => s.Text));

        var bad = await Run(segments, SpeechAround(segments), [], "    config:\n      rules: [repeats]\n");
        Assert.Equal(StageStatus.Failed, bad.Status);
        Assert.Contains("names unknown rules: repeats", ManifestJson.ReadStage(StageFile("manifest.json")).StatusReason, StringComparison.Ordinal);
    }
}
