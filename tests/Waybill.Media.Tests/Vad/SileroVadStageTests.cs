using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Media.Model;
using Waybill.Media.Stages.Vad;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Vad;

/// <summary>05_vad through the engine: files, manifest figures, warnings and failures.</summary>
public sealed class SileroVadStageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string ModelDir => Path.GetDirectoryName(SileroVadDetectorTests.ModelPath)!;

    private PipelineBuilder Pipeline(string modelDir, Action<StageBuilder> inputs, params (string Key, object Value)[] config) =>
        new PipelineBuilder("vad", _temp.Path)
            .Env("WAYBILL_MODEL_DIR", modelDir)
            .Stage("05_vad", () => new SileroVadStage(), s =>
            {
                inputs(s);
                s.Output("segments", "segments.json", type: "speech_segments", format: "json");
                foreach (var (key, value) in config) s.Config(key, value);
            });

    [Fact]
    public async Task Speech_segments_and_their_figures_reach_the_job_folder()
    {
        var clip = TestAudio.Speak(_temp.Path, "Every stage of this job writes down what it did");
        var wav = _temp.Combine("audio.wav");
        TestAudio.Compose(wav, 1.0, clip, 1.5, clip, 1.0);

        var run = await StageRun.RunAsync(_temp, Pipeline(ModelDir, s => s.ExternalInput("audio", wav, "audio"), ("threshold", 0.5), ("min_speech_ms", 250L)), "05_vad");

        Assert.Equal("success", run.Manifest.Status);
        var segments = MediaJson.Read<SpeechSegments>(Path.Combine(run.StageDir, "segments.json"));
        Assert.Equal(2, segments.Segments.Count);
        Assert.Equal(100, segments.SpeechPadMs);
        Assert.Equal(0.5, segments.Threshold);
        var output = run.Output("segments");
        Assert.Equal(2, output.Metadata!["segment_count"].GetInt32());
        var speech = output.Metadata["speech_seconds"].GetDouble();
        Assert.Equal(segments.Segments.Sum(s => s.Duration), speech, 3);
        Assert.Equal(speech / segments.Duration, output.Metadata["speech_ratio"].GetDouble(), 3);
        Assert.InRange(run.Resource("model_load_seconds"), 0.0001, 10);
        Assert.InRange(run.Resource("real_time_factor"), 0.000001, 1);

        var model = Assert.Single(run.Manifest.IntermediateFiles);
        Assert.Equal("model", model.Type);
        Assert.Equal("external", model.Location);
        Assert.Equal(Path.Combine(ModelDir, "silero_vad.onnx"), model.Path);
        Assert.True(model.Retained);
        Assert.Equal("shared model cache, kept for future runs", model.Reason);
        Assert.NotNull(model.Checksum);
        Assert.Equal("audio", run.Manifest.Config["input"]!.GetValue<string>());
        Assert.StartsWith("1.", run.Manifest.ToolVersions["onnxruntime"], StringComparison.Ordinal);
        Assert.Empty(run.Manifest.Warnings);
        Assert.Contains("Silero VAD model loaded", run.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vocals_are_read_instead_of_the_mix_when_present()
    {
        var mix = _temp.Combine("mix.wav");
        TestAudio.Compose(mix, 4.0);
        var vocals = _temp.Combine("vocals.wav");
        TestAudio.Compose(vocals, 0.5, TestAudio.Speak(_temp.Path, "Only the vocals hold speech"), 0.5);

        var run = await StageRun.RunAsync(_temp, Pipeline(ModelDir, s => s.ExternalInput("audio", mix).ExternalInput("vocals", vocals)), "05_vad");

        Assert.Equal("success", run.Manifest.Status);
        Assert.Equal("vocals", run.Manifest.Config["input"]!.GetValue<string>());
        Assert.Single(MediaJson.Read<SpeechSegments>(Path.Combine(run.StageDir, "segments.json")).Segments);
    }

    [Fact]
    public async Task Silence_succeeds_with_a_warning_and_no_segments()
    {
        var wav = _temp.Combine("quiet.wav");
        TestAudio.Compose(wav, 3.0);

        var run = await StageRun.RunAsync(_temp, Pipeline(ModelDir, s => s.ExternalInput("audio", wav)), "05_vad");

        Assert.Equal("success", run.Manifest.Status);
        Assert.Empty(MediaJson.Read<SpeechSegments>(Path.Combine(run.StageDir, "segments.json")).Segments);
        Assert.Equal("no speech found in 3.0 s of audio", Assert.Single(run.Manifest.Warnings).Message);
        Assert.Equal(0, run.Output("segments").Metadata!["segment_count"].GetInt32());
    }

    [Fact]
    public async Task A_missing_model_fails_naming_the_file_and_the_fetch_script()
    {
        var wav = _temp.Combine("audio.wav");
        TestAudio.Compose(wav, 1.0);
        var empty = _temp.Combine("no models");
        Directory.CreateDirectory(empty);

        var run = await StageRun.RunAsync(_temp, Pipeline(empty, s => s.ExternalInput("audio", wav)), "05_vad");

        Assert.Equal("failed", run.Manifest.Status);
        Assert.Contains(Path.Combine(empty, "silero_vad.onnx"), run.Manifest.StatusReason, StringComparison.Ordinal);
        Assert.Contains("run scripts/fetch-models.sh (or scripts/setup.sh)", run.Manifest.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_model_path_wins_over_the_model_folder()
    {
        var wav = _temp.Combine("audio.wav");
        TestAudio.Compose(wav, 1.0);
        var copy = _temp.Combine("models", "my vad.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(SileroVadDetectorTests.ModelPath, copy);

        // Relative to the pipeline's folder; the model folder from the environment holds nothing.
        var run = await StageRun.RunAsync(_temp, Pipeline(_temp.Combine("nowhere"), s => s.ExternalInput("audio", wav), ("model", "models/my vad.onnx")), "05_vad");

        Assert.Equal("success", run.Manifest.Status);
        Assert.Equal(copy, Assert.Single(run.Manifest.IntermediateFiles).Path);
    }

    [Fact]
    public async Task Audio_at_8_kHz_fails_the_stage_with_the_reason()
    {
        var wav = _temp.Combine("phone.wav");
        TestAudio.Compose(wav, 8000, 1.0);

        var run = await StageRun.RunAsync(_temp, Pipeline(ModelDir, s => s.ExternalInput("audio", wav)), "05_vad");

        Assert.Equal("failed", run.Manifest.Status);
        Assert.Contains("8000 Hz", run.Manifest.StatusReason, StringComparison.Ordinal);
        Assert.Contains("needs 16000 Hz", run.Manifest.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_threshold_outside_0_to_1_fails_naming_the_key()
    {
        var wav = _temp.Combine("audio.wav");
        TestAudio.Compose(wav, 1.0);
        var run = await StageRun.RunAsync(_temp, Pipeline(ModelDir, s => s.ExternalInput("audio", wav), ("threshold", 1.5)), "05_vad");
        Assert.Equal("failed", run.Manifest.Status);
        Assert.Contains("threshold", run.Manifest.StatusReason, StringComparison.Ordinal);
    }
}
