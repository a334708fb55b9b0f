using Waybill.Media.Model;
using Waybill.Core.Execution;
using Waybill.Core.Stages;
using Waybill.Media.Audio;
using Waybill.Media.Stages.Demux;
using Waybill.Media.Tools;

namespace Waybill.Media.Stages.SourceSeparation;

/// <summary>What vocals.wav holds after the stage: always 16 kHz mono 16-bit PCM, as VAD and ASR read it.</summary>
public sealed record VocalsInfo(double Duration, int SampleRate, int Channels, string? ConvertedFrom);

/// <summary>Brings a separator's output to 16 kHz mono 16-bit PCM (Demucs writes 44.1 kHz stereo, some tools float WAV).</summary>
public static class VocalsFormat
{
    public static async Task<VocalsInfo> EnsureAsync(StageContext context, string path, CancellationToken cancellationToken)
    {
        var found = Read(path);
        if (found is { SampleRate: 16000, Channels: 1 }) return found;

        var original = found is null ? "not 16-bit PCM WAV" : $"{found.SampleRate} Hz, {found.Channels} channels";
        var partial = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".partial");
        try
        {
            await ExternalTool.RecordVersionAsync(context, "ffmpeg", ["-version"], cancellationToken);
            var run = await FfmpegRun.RunAsync(context, "ffmpeg",
                ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "level+info", "-y", "-i", path, "-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le",
                 "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "wav", partial], cancellationToken);
            if (run.ExitCode != 0)
                throw new StageFailedException($"{path} from the separator is not audio ffmpeg can read ({run.ErrorSummary}); the separator must write a WAV file");
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
        var converted = Read(path) ?? throw new StageFailedException($"{path} could not be converted to 16 kHz mono PCM");
        return converted with { ConvertedFrom = original };
    }

    private static VocalsInfo? Read(string path)
    {
        try
        {
            using var reader = new WavReader(path);
            return new VocalsInfo(Math.Round(reader.DurationSeconds, 3), reader.SampleRate, reader.Channels, null);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
