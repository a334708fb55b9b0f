using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Stages;
using Waybill.Media.Audio;
using Waybill.Media.Tools;

namespace Waybill.Media.Stages.SourceSeparation;

/// <summary>
/// 04_source_separation: isolates the voice before VAD and ASR. Config <c>backend</c>: <c>none</c> (default, skipped),
/// <c>ffmpeg</c> (speech-enhancement filters, config <c>filter</c>) or <c>command</c> (config <c>command</c> with
/// {in} and {out}, e.g. a Demucs wrapper). Output <c>vocals</c>: vocals.wav, 16 kHz mono 16-bit PCM.
/// </summary>
public sealed class SourceSeparationStage : IStage
{
    public static readonly string[] Backends = ["none", "ffmpeg", "command"];

    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var backend = (context.GetConfig<string>("backend", "none") ?? "none").Trim().ToLowerInvariant();
        if (backend is "" or "none")
        {
            context.Finalize(StageStatus.Skipped, "disabled");
            return;
        }
        if (!Backends.Contains(backend))
            throw new StageFailedException($"config 'backend' is '{backend}'; allowed: {string.Join(", ", Backends)}");

        var input = context.InputPath("audio");
        var output = context.OutputPath("vocals");
        var inputSeconds = Duration(input);
        File.Delete(output); // a stale file from an earlier run must not pass for the command's output
        context.AddConfig("backend", backend);
        var watch = Stopwatch.StartNew();
        if (backend == "ffmpeg")
        {
            var chain = context.GetConfig<string>("filter", null) is { Length: > 0 } custom ? custom : SpeechFilter.DefaultChain;
            context.AddConfig("filter", chain);
            await ExternalTool.RecordVersionAsync(context, "ffmpeg", ["-version"], cancellationToken);
            context.Logger.LogInformation("Enhancing speech with ffmpeg: {Chain}", chain);
            var partial = context.StagePath(".vocals.wav.partial");
            try
            {
                await SpeechFilter.RunAsync(context, input, chain, partial, cancellationToken);
                File.Move(partial, output, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }
        }
        else
        {
            var template = context.GetConfig<string>("command", null);
            if (string.IsNullOrWhiteSpace(template))
                throw new StageFailedException("config 'command' is empty: backend 'command' needs a command that reads {in} and writes {out}, e.g. command: \"my-demucs {in} {out}\"");
            context.AddConfig("command", template);
            await SeparationCommand.RunAsync(context, template, input, output, cancellationToken);
        }
        var seconds = watch.Elapsed.TotalSeconds;

        var vocals = await VocalsFormat.EnsureAsync(context, output, cancellationToken);
        if (vocals.ConvertedFrom is { } from)
            context.Logger.LogInformation("Converted vocals.wav from {From} to 16 kHz mono", from);
        if (Math.Abs(vocals.Duration - inputSeconds) > 0.1)
            context.AddWarning($"vocals.wav lasts {vocals.Duration:0.###} s but the audio {inputSeconds:0.###} s; later stages time speech by vocals.wav, so subtitles may drift");

        var metadata = new Dictionary<string, object?>
        {
            ["backend"] = backend,
            ["duration"] = vocals.Duration,
            ["sample_rate"] = vocals.SampleRate,
            ["channels"] = vocals.Channels,
        };
        if (vocals.ConvertedFrom is not null) metadata["converted_from"] = vocals.ConvertedFrom;
        context.TrackOutput(output, "audio", "wav", metadata, name: "vocals");
        context.SetResource("audio_seconds", inputSeconds);
        context.SetResource("separation_seconds", Math.Round(seconds, 3));
        if (seconds > 0) context.SetResource("realtime_factor", Math.Round(inputSeconds / seconds, 1));
        context.Logger.LogInformation("Separated {Duration:0.0} s of audio with {Backend} in {Seconds:0.0} s", inputSeconds, backend, seconds);
    }

    private static double Duration(string wav)
    {
        try
        {
            using var reader = new WavReader(wav);
            return Math.Round(reader.DurationSeconds, 3);
        }
        catch (InvalidDataException e)
        {
            throw new StageFailedException($"{wav} is not the 16-bit PCM WAV 01_demux writes: {e.Message}", e);
        }
    }
}
