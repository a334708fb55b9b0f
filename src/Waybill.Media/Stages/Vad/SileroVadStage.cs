using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Waybill.Core.Execution;
using Waybill.Core.Stages;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Vad;

/// <summary>
/// 05_vad: speech segments from Silero VAD on ONNX Runtime. Reads <c>vocals</c> when source separation produced
/// it, else <c>audio</c> (16 kHz mono), and writes <c>segments</c> (<see cref="SpeechSegments"/>).
/// </summary>
public sealed class SileroVadStage : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var options = new VadOptions(
            context.GetConfig("threshold", 0.5),
            (int)context.GetConfig("min_speech_ms", 250L),
            (int)context.GetConfig("min_silence_ms", 300L),
            (int)context.GetConfig("speech_pad_ms", 100L));
        if (options.Problem() is { } problem) throw new StageFailedException($"config of {context.StageId}: {problem}");

        var configured = context.GetConfig<string>("model", "");
        var modelPath = VadModelLocator.Resolve(configured, context.EnvironmentVariable("WAYBILL_MODEL_DIR"), context.Pipeline.BaseDirectory);
        VadModelLocator.RequireExists(modelPath, !string.IsNullOrWhiteSpace(configured));

        var inputName = context.Definition.Inputs.Any(i => i.Name == "vocals") && context.HasInput("vocals") ? "vocals" : "audio";
        var audio = context.InputPath(inputName);
        context.AddConfig("input", inputName);
        context.AddConfig("model_path", modelPath);
        // The values used, defaults included, next to the configured ones.
        context.AddConfig("threshold", options.Threshold);
        context.AddConfig("neg_threshold", Math.Round(options.NegThreshold, 3));
        context.AddConfig("min_speech_ms", options.MinSpeechMs);
        context.AddConfig("min_silence_ms", options.MinSilenceMs);
        context.AddConfig("speech_pad_ms", options.SpeechPadMs);
        // The model lives outside the job, in the shared cache: recorded (path, size, checksum) so a run names the exact file.
        context.TrackIntermediate(modelPath, "model", retained: true, reason: "shared model cache, kept for future runs");
        context.SetToolVersion("onnxruntime", OrtEnv.Instance().GetVersionString());

        var load = Stopwatch.StartNew();
        using var model = new SileroVadModel(modelPath);
        load.Stop();
        context.SetResource("model_load_seconds", Math.Round(load.Elapsed.TotalSeconds, 3));
        context.Logger.LogInformation("Silero VAD model loaded in {Seconds:0.000} s: {Path}", load.Elapsed.TotalSeconds, modelPath);
        context.Logger.LogDebug("model signature: {Signature}", model.Describe());
        context.Logger.LogInformation("Detecting speech in {Input} ({Path}), threshold {Threshold}", inputName, audio, options.Threshold);

        var result = SileroVadDetector.Detect(model, audio, options, cancellationToken);
        foreach (var (segment, i) in result.Segments.Segments.Select((s, i) => (s, i)))
            context.Logger.LogDebug("segment {Index}: {Start:0.000}-{End:0.000} s, probability {Probability:0.000}", i, segment.Start, segment.End, segment.Probability);

        var output = context.OutputPath("segments");
        MediaJson.Write(output, result.Segments);

        var speechSeconds = Math.Round(result.SpeechSeconds, 3);
        var ratio = result.AudioSeconds > 0 ? Math.Round(result.SpeechSeconds / result.AudioSeconds, 4) : 0;
        context.TrackOutput(output, "speech_segments", "json", new Dictionary<string, object?>
        {
            ["segment_count"] = result.Segments.Segments.Count,
            ["speech_seconds"] = speechSeconds,
            ["speech_ratio"] = ratio,
        }, name: "segments");
        context.SetResource("audio_seconds", Math.Round(result.AudioSeconds, 3));
        context.SetResource("real_time_factor", Math.Round(result.RealTimeFactor, 5));
        context.SetResource("windows_per_second", Math.Round(result.WindowsPerSecond));

        if (result.Segments.Segments.Count == 0)
            context.AddWarning($"no speech found in {result.AudioSeconds:0.0} s of audio");
        context.Logger.LogInformation(
            "Speech: {Count} segments, {Speech:0.0} s of {Total:0.0} s ({Ratio:P1}); {Windows} windows in {Elapsed:0.00} s, real-time factor {Rtf:0.0000}",
            result.Segments.Segments.Count, speechSeconds, result.AudioSeconds, ratio, result.Windows, result.ProcessingSeconds, result.RealTimeFactor);
        return Task.CompletedTask;
    }
}
