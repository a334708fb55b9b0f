using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Waybill.Media.Model;
using Waybill.Tests.Support;
using Xunit;
using static Waybill.Media.Tests.Subtitles.CueBehaviourTests;

namespace Waybill.Media.Tests.Subtitles;

/// <summary>11_subtitle_generation run as a job: files per language, tracks.json, the manifest, and an empty transcript.</summary>
public sealed class SubtitleGenerationStageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private sealed class SkipStage : IStage
    {
        public Task RunAsync(StageContext context, CancellationToken cancellationToken)
        {
            context.Finalize(StageStatus.Skipped, "no target language: pass --translate-to LANG");
            return Task.CompletedTask;
        }
    }

    private async Task<RunResult> Run(Transcript transcript, Model.Translation? translation, List<MusicRegion>? music = null)
    {
        MediaJson.Write(_temp.Combine("segments.json"), transcript);
        MediaJson.Write(_temp.Combine("music.json"), new MusicRegions { Features = ["flatness", "pitch_stability"], FrameSeconds = 0.02, Regions = music ?? [] });
        if (translation is not null) MediaJson.Write(_temp.Combine("translation.json"), translation);
        var translationStage = translation is null
            ? "    uses: test.skip"
            : "    uses: copy\n    inputs: { translation: translation.json }";
        var yaml = $$"""
            name: subtitles
            stages:
              - id: 09_hallucination_removal
                uses: copy
                inputs: { segments: segments.json, music: music.json }
                outputs: { segments: segments.json, music: music.json }
              - id: 10_translation
            {{translationStage}}
                outputs:
                  translation: { path: translation.json, type: translation, format: json }
              - id: 11_subtitle_generation
                uses: media.subtitles
                inputs:
                  segments: 09_hallucination_removal.segments
                  music: 09_hallucination_removal.music
                  translation: { from: 10_translation.translation, optional: true }
                outputs:
                  srt: { path: subtitles.srt, type: subtitles, format: srt }
                  vtt: { path: subtitles.vtt, type: subtitles, format: vtt }
                  tracks: { path: tracks.json, type: subtitle_tracks, format: json }
                config:
                  max_line_chars: 42
                  max_lines: 2
                  min_cue_seconds: 0.8
                  max_cue_seconds: 7
                  max_chars_per_second: 20
            """;
        var builtins = BuiltinStages.Default.AddMediaStages().Add("test.skip", () => new SkipStage());
        var pipeline = PipelineFileLoader.Parse(yaml, _temp.Combine("waybill.yaml"), builtins: builtins);
        var result = await PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1 }, TestContext.Current.CancellationToken);
        JobAssert.ManifestsAreValid(result.JobDir);
        return result;
    }

    private string StageFile(string name) => _temp.Combine("out", "job", "11_subtitle_generation", name);

    private static Transcript Dialogue() => new()
    {
        Backend = "pocketsphinx", Language = "en", Duration = 30,
        Segments =
        [
            Spoken(0, 1, "I am Iron Man."),
            Spoken(1, 4, "You know, I'm not sure that's a good idea, considering everything that happened in Malibu last week."),
            Spoken(2, 12, "Back in black, I hit the sack", lyrics: true),
        ],
    };

    [Fact]
    public async Task A_translated_track_of_an_earlier_run_goes_when_the_translation_is_absent_now()
    {
        var translation = new Model.Translation
        {
            SourceLanguage = "en", TargetLanguage = "de", Model = "llama3.1",
            Segments = [new(0, 1.0, 2.4, "Ich bin Iron Man.", "I am Iron Man.")],
        };
        await Run(Dialogue(), translation);
        Assert.True(File.Exists(StageFile("subtitles.de.srt")));

        // 10_translation skips now: its earlier translation.json is put back in its folder, but is not this run's.
        var again = await Run(Dialogue(), null);

        Assert.Equal(StageStatus.Success, again.Status);
        Assert.True(File.Exists(_temp.Combine("out", "job", "10_translation", "translation.json")));
        Assert.Equal(["en"], MediaJson.Read<SubtitleTracks>(StageFile("tracks.json")).Tracks.Select(t => t.Language));
        Assert.False(File.Exists(StageFile("subtitles.de.srt")));
        Assert.False(File.Exists(StageFile("subtitles.de.vtt")));
        Assert.True(File.Exists(StageFile("subtitles.srt")));
    }

    [Fact]
    public async Task Source_and_translated_tracks_are_written_listed_and_recorded()
    {
        var translation = new Model.Translation
        {
            SourceLanguage = "en", TargetLanguage = "de", Model = "llama3.1",
            Segments =
            [
                new(0, 1.0, 2.4, "Ich bin Iron Man.", "I am Iron Man."),
                new(1, 4.0, 10.95, "Weißt du, ich bin mir nicht sicher, ob das eine gute Idee ist, nach allem, was letzte Woche in Malibu passiert ist.", "…"),
                new(2, 12.0, 14.1, "Zurück in Schwarz, ich hau mich hin", "…"),
            ],
        };

        var result = await Run(Dialogue(), translation);

        Assert.Equal(StageStatus.Success, result.Status);
        var tracks = MediaJson.Read<SubtitleTracks>(StageFile("tracks.json")).Tracks;
        Assert.Equal(["en", "de"], tracks.Select(t => t.Language));
        Assert.Equal(("subtitles.srt", "subtitles.vtt"), (tracks[0].Srt, tracks[0].Vtt));
        Assert.Equal(("subtitles.de.srt", "subtitles.de.vtt"), (tracks[1].Srt, tracks[1].Vtt));

        var english = SubtitleFiles.ParseSrt(File.ReadAllText(StageFile("subtitles.srt")));
        Assert.Equal(tracks[0].Cues, english.Count);
        Assert.Equal(["I am Iron Man."], english[0].Lines);
        Assert.Equal(["♪ Back in black, I hit the sack ♪"], english[^1].Lines);
        Assert.Equal(english.Select(c => c.ToString()), SubtitleFiles.ParseVtt(File.ReadAllText(StageFile("subtitles.vtt"))).Select(c => c.ToString()));
        var german = SubtitleFiles.ParseSrt(File.ReadAllText(StageFile("subtitles.de.srt")));
        Assert.Equal(tracks[1].Cues, german.Count);
        Assert.Equal(["Ich bin Iron Man."], german[0].Lines);
        Assert.StartsWith("♪ Zurück in Schwarz", german[^1].Lines[0], StringComparison.Ordinal);
        Assert.True(german.Count >= 4, "the long German sentence needs more than one cue");

        var manifest = ManifestJson.ReadStage(StageFile("manifest.json"));
        Assert.Equal(["srt", "vtt", "srt_de", "vtt_de", "tracks"], manifest.Outputs.Select(o => o.Name));
        var srtDe = manifest.Outputs.Single(o => o.Name == "srt_de");
        Assert.Equal(("11_subtitle_generation/subtitles.de.srt", "subtitles", "srt"), (srtDe.Path, srtDe.Type, srtDe.Format));
        Assert.Equal(german.Count, srtDe.Metadata!["cues"].GetInt32());
        Assert.Equal("de", srtDe.Metadata["language"].GetString());
        Assert.NotNull(srtDe.Checksum);
        Assert.True(srtDe.Metadata["adjustments"].GetProperty("split").GetInt32() >= 1);
        Assert.Equal(english.Count + german.Count, manifest.Summary!["cues"]!.GetValue<int>());
        Assert.Equal(42, manifest.Config["max_line_chars"]!.GetValue<int>());
        Assert.Contains(manifest.Inputs, i => i.Name == "translation" && i.FromStage == "10_translation");
    }

    [Fact]
    public async Task Without_a_translation_only_the_spoken_language_is_made()
    {
        var result = await Run(Dialogue(), translation: null);

        Assert.Equal(StageStatus.Success, result.Status);
        Assert.Equal("success", ManifestJson.ReadStage(StageFile("manifest.json")).Status);
        var track = Assert.Single(MediaJson.Read<SubtitleTracks>(StageFile("tracks.json")).Tracks);
        Assert.Equal("en", track.Language);
        Assert.Equal(["subtitles.srt", "subtitles.vtt", "tracks.json"], Directory.GetFiles(StageFile("")).Select(Path.GetFileName).Where(f => !f!.EndsWith(".log", StringComparison.Ordinal) && f != "manifest.json").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_empty_transcript_gives_valid_empty_files_and_a_warning()
    {
        var result = await Run(new Transcript { Backend = "pocketsphinx", Language = "en", Duration = 12 }, translation: null);

        Assert.Equal(StageStatus.Success, result.Status);
        Assert.Equal(0, new FileInfo(StageFile("subtitles.srt")).Length);
        Assert.Equal("WEBVTT\n\n", File.ReadAllText(StageFile("subtitles.vtt")));
        Assert.Equal(0, MediaJson.Read<SubtitleTracks>(StageFile("tracks.json")).Tracks.Single().Cues);
        var manifest = ManifestJson.ReadStage(StageFile("manifest.json"));
        Assert.Equal("no subtitles: the transcript is empty", manifest.Warnings.Single().Message);
        Assert.Equal(0, manifest.Outputs.Single(o => o.Name == "srt").Metadata!["cues"].GetInt32());
    }
}
