using Waybill.Core.Pipeline;
using Waybill.Media.Model;
using Waybill.Media.Stages.Lyrics;
using Waybill.Media.Stages.Vad;
using Waybill.Media.Tests.Vad;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Lyrics;

/// <summary>08_lyrics_detection through the engine, fed by the real 05_vad.</summary>
public sealed class LyricsDetectionStageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Music_regions_are_written_logged_and_counted_after_vad()
    {
        var speech = TestAudio.Speak(_temp.Path, "And now a little song for the end of the evening");
        var melody = Melody.Render(Melody.Tune);
        var wav = _temp.Combine("audio.wav");
        var starts = TestAudio.Compose(wav, 0.5, speech, 0.7, melody, 0.5);

        var pipeline = new PipelineBuilder("lyrics", _temp.Path)
            .Env("WAYBILL_MODEL_DIR", Path.GetDirectoryName(SileroVadDetectorTests.ModelPath)!)
            .Stage("05_vad", () => new SileroVadStage(), s => s
                .ExternalInput("audio", wav, "audio")
                .Output("segments", "segments.json", "speech_segments", "json"))
            .Stage("08_lyrics_detection", () => new LyricsDetectionStage(), s => s
                .ExternalInput("audio", wav, "audio")
                .Input("speech", "05_vad.segments")
                .Output("music", "music.json", "music_regions", "json")
                .Config("min_region_seconds", 2L));   // a whole number, as YAML gives it
        var run = await StageRun.RunAsync(_temp, pipeline, "08_lyrics_detection");

        Assert.Equal("success", run.Manifest.Status);
        var music = MediaJson.Read<MusicRegions>(Path.Combine(run.StageDir, "music.json"));
        var region = Assert.Single(music.Regions);
        var melodyStart = starts[1] / 16000.0;
        Assert.InRange(region.Start, melodyStart - 0.3, melodyStart + 0.5);
        Assert.InRange(region.End, melodyStart + 4.5, melodyStart + 5.3);
        Assert.Equal(["spectral_flatness", "pitch_stability", "energy"], music.Features);

        var output = run.Output("music");
        Assert.Equal(1, output.Metadata!["region_count"].GetInt32());
        Assert.Equal(region.End - region.Start, output.Metadata["music_seconds"].GetDouble(), 3);
        Assert.Equal(2.0, run.Manifest.Config["min_region_seconds"]!.GetValue<double>());
        Assert.Equal(0.6, run.Manifest.Config["threshold"]!.GetValue<double>());
        Assert.InRange(run.Resource("real_time_factor"), 0.000001, 1);
        Assert.Contains($"[INFO] Music {region.Start:0.00}-{region.End:0.00} s", run.Log, StringComparison.Ordinal);
        Assert.Contains("inside VAD speech", run.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silence_gives_an_empty_list()
    {
        var wav = _temp.Combine("quiet.wav");
        TestAudio.Compose(wav, 3.0);
        var pipeline = new PipelineBuilder("lyrics", _temp.Path)
            .Stage("08_lyrics_detection", () => new LyricsDetectionStage(), s => s
                .ExternalInput("audio", wav, "audio")
                .Output("music", "music.json", "music_regions", "json"));
        var run = await StageRun.RunAsync(_temp, pipeline, "08_lyrics_detection");
        Assert.Equal("success", run.Manifest.Status);
        Assert.Empty(MediaJson.Read<MusicRegions>(Path.Combine(run.StageDir, "music.json")).Regions);
        Assert.Equal(0, run.Output("music").Metadata!["region_count"].GetInt32());
    }

    [Fact]
    public async Task A_bad_threshold_fails_naming_the_key()
    {
        var wav = _temp.Combine("quiet.wav");
        TestAudio.Compose(wav, 1.0);
        var pipeline = new PipelineBuilder("lyrics", _temp.Path)
            .Stage("08_lyrics_detection", () => new LyricsDetectionStage(), s => s
                .ExternalInput("audio", wav, "audio")
                .Output("music", "music.json")
                .Config("threshold", 0.0));
        var run = await StageRun.RunAsync(_temp, pipeline, "08_lyrics_detection");
        Assert.Equal("failed", run.Manifest.Status);
        Assert.Contains("threshold", run.Manifest.StatusReason, StringComparison.Ordinal);
    }
}
