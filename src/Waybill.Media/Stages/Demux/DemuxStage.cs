using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Stages;
using Waybill.Media.Model;
using Waybill.Media.Tools;

namespace Waybill.Media.Stages.Demux;

/// <summary>
/// 01_demux: probes the input with ffprobe (<c>metadata</c>: metadata.json) and extracts the audio stream in the
/// spoken language as 16 kHz mono PCM WAV (<c>audio</c>: audio.wav), optionally clipped to config start/end.
/// </summary>
public sealed class DemuxStage : IStage
{
    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var video = context.InputPath("video");
        var language = context.GetConfig<string>("language", null);
        var maxDecodeErrors = (int)context.GetConfig<long>("max_decode_errors", 50);

        await ExternalTool.RecordVersionAsync(context, "ffmpeg", ["-version"], cancellationToken);
        await ExternalTool.RecordVersionAsync(context, "ffprobe", ["-version"], cancellationToken);

        var probe = await MediaProbe.ProbeAsync(context, video, cancellationToken);
        context.Logger.LogInformation("Probed {File}: {Format}, {Duration} s, streams: {Streams}",
            probe.FileName, probe.Format, probe.Duration?.ToString("0.###", CultureInfo.InvariantCulture) ?? "unknown", MediaProbe.Describe(probe.Streams));
        if (!probe.Streams.Exists(s => s.Type == "audio"))
            throw new StageFailedException($"{video} has no audio stream (streams: {MediaProbe.Describe(probe.Streams)}); subtitles need speech audio: use a file with a sound track");

        var (choice, warning) = AudioStreamChooser.Choose(probe.Streams, language);
        if (warning is not null) context.AddWarning(warning);
        var source = probe.Streams.First(s => s.Index == choice.Index);
        context.Logger.LogInformation("Audio stream #{Index} ({Codec}, {Channels} ch, {Rate} Hz{Language}): {Reason}",
            source.Index, source.Codec, source.Channels, source.SampleRate, source.Language is null ? "" : ", " + source.Language, choice.Reason);

        var streamDuration = source.Duration ?? probe.Duration;
        var clip = ClipRange.FromConfig(context.GetConfig<JsonNode>("start", null), context.GetConfig<JsonNode>("end", null), probe.Duration, video);
        if (clip.End is { } end && probe.Duration is { } total && end > total)
            context.AddWarning($"config 'end' ({ClipRange.Format(end)} s) is past the end of {probe.FileName} ({ClipRange.Format(total)} s); extracting to the end");
        context.AddConfig("language", language);
        context.AddConfig("start", clip.Start);
        context.AddConfig("end", clip.End);
        context.AddConfig("max_decode_errors", maxDecodeErrors);

        var audioPath = context.OutputPath("audio");
        var watch = Stopwatch.StartNew();
        var audio = await AudioExtractor.ExtractAsync(context, video, choice, clip, streamDuration, maxDecodeErrors, audioPath, cancellationToken);
        var seconds = watch.Elapsed.TotalSeconds;
        if (audio.DecodeErrors > 0)
            context.AddWarning($"ffmpeg reported {audio.DecodeErrors} decoding errors in audio stream #{choice.Index} of {probe.FileName} (last: {audio.LastError}); the audio may have gaps there");

        var metadata = probe with { AudioStream = choice, ClipStart = clip.Start, ClipEnd = clip.End };
        var metadataPath = context.OutputPath("metadata");
        MediaJson.Write(metadataPath, metadata);

        context.TrackOutput(audioPath, "audio", "wav", new Dictionary<string, object?>
        {
            ["duration"] = audio.Duration,
            ["sample_rate"] = audio.SampleRate,
            ["channels"] = audio.Channels,
            ["source_stream"] = choice.Index,
            ["source_codec"] = source.Codec,
            ["source_sample_rate"] = source.SampleRate,
            ["source_channels"] = source.Channels,
            ["source_language"] = source.Language,
        }, name: "audio");
        context.TrackOutput(metadataPath, "media_metadata", "json", new Dictionary<string, object?>
        {
            ["container"] = probe.Format,
            ["duration"] = probe.Duration,
            ["stream_count"] = probe.Streams.Count,
            ["has_video"] = probe.HasVideo,
        }, name: "metadata");
        context.SetResource("audio_seconds", audio.Duration);
        context.SetResource("extract_seconds", Math.Round(seconds, 3));
        if (seconds > 0) context.SetResource("realtime_factor", Math.Round(audio.Duration / seconds, 1));
        context.Logger.LogInformation("Extracted {Duration:0.0} s of audio ({Rate} Hz mono) from stream #{Index} in {Seconds:0.0} s", audio.Duration, audio.SampleRate, choice.Index, seconds);
        context.Finalize(StageStatus.Success, summary: new Dictionary<string, object?>
        {
            ["audio_seconds"] = audio.Duration,
            ["audio_stream"] = choice.Index,
            ["has_video"] = probe.HasVideo,
        });
    }
}
