using Waybill.Media.Model;
using Waybill.Media.Tools;
using Waybill.Core.Execution;
using Waybill.Core.Stages;
using Waybill.Media.Stages.Demux;

namespace Waybill.Media.Stages.SourceSeparation;

/// <summary>
/// Backend <c>ffmpeg</c>: a speech-enhancement filter chain, no model needed. It does not separate voices from
/// music the way Demucs does; it removes what is not speech band (rumble below 100 Hz, hiss above 7.5 kHz),
/// reduces steady background noise (afftdn, FFT denoiser) and evens out loud and quiet passages (dynaudnorm),
/// which helps VAD and ASR on noisy recordings. None of these filters shifts or stretches time.
/// </summary>
public static class SpeechFilter
{
    public const string DefaultChain = "highpass=f=100,lowpass=f=7500,afftdn=nf=-25,dynaudnorm=f=150:g=15";

    public static List<string> Arguments(string input, string chain, string output) =>
    [
        "-nostdin", "-hide_banner", "-nostats", "-loglevel", "level+info", "-y", "-i", input,
        "-af", chain, "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le",
        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "wav", output,
    ];

    public static async Task RunAsync(StageContext context, string input, string chain, string output, CancellationToken cancellationToken)
    {
        var run = await FfmpegRun.RunAsync(context, "ffmpeg", Arguments(input, chain, output), cancellationToken);
        if (run.ExitCode != 0)
            throw new StageFailedException($"ffmpeg could not apply the speech filter '{chain}' to {input} (exit code {run.ExitCode}): {run.ErrorSummary}; check config 'filter'");
    }
}
