using Waybill.Media.Model;
using Waybill.Media.Tools;
using System.Globalization;
using Waybill.Core.Execution;
using Waybill.Core.Stages;
using Waybill.Media.Audio;

namespace Waybill.Media.Stages.Demux;

/// <summary>What came out of an extraction: the WAV's facts and how many decoding errors ffmpeg reported.</summary>
public sealed record ExtractedAudio(double Duration, int SampleRate, int Channels, int DecodeErrors, string? LastError);

/// <summary>
/// Extracts one audio stream as 16 kHz mono 16-bit PCM WAV with ffmpeg, on the video's timeline (gaps become silence).
/// The WAV is byte-for-byte reproducible (no encoder tag, no metadata), so the same input gives the same checksum.
/// </summary>
public static class AudioExtractor
{
    public const int SampleRate = 16000;

    /// <summary>ffmpeg's arguments: <paramref name="audioIndex"/> counts audio streams only (<c>0:a:N</c>).</summary>
    public static List<string> Arguments(string input, int audioIndex, ClipRange clip, double? duration, string output)
    {
        var args = new List<string> { "-nostdin", "-hide_banner", "-nostats", "-loglevel", "level+info", "-y" };
        // -ss before -i seeks the input (fast, and exact for audio, which is decoded from the seek point).
        if (clip.Start is { } start) args.AddRange(["-ss", Seconds(start)]);
        args.AddRange(["-i", input]);
        if (clip.End is { } end && (duration is null || end < duration)) args.AddRange(["-t", Seconds(end - (clip.Start ?? 0))]);
        args.AddRange([
            "-vn", "-sn", "-dn", "-map", $"0:a:{audioIndex}",
            // Subtitles are timed against the video: fill timestamp gaps (undecodable packets, late audio start)
            // with silence instead of letting the rest of the audio move earlier.
            "-af", "aresample=async=1:first_pts=0",
            "-ac", "1", "-ar", SampleRate.ToString(CultureInfo.InvariantCulture), "-c:a", "pcm_s16le",
            "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "wav", output,
        ]);
        return args;
    }

    /// <summary>
    /// Runs the extraction into <paramref name="output"/> (through a partial file, so a failed run leaves nothing behind)
    /// and checks the result: a failed ffmpeg, an empty result, or decoding errors that cut the audio short or exceed
    /// <paramref name="maxDecodeErrors"/> fail with ffmpeg's last error line.
    /// </summary>
    public static async Task<ExtractedAudio> ExtractAsync(StageContext context, string input, AudioChoice stream, ClipRange clip, double? streamDuration, int maxDecodeErrors, string output, CancellationToken cancellationToken)
    {
        var partial = Path.Combine(Path.GetDirectoryName(output)!, "." + Path.GetFileName(output) + ".partial");
        try
        {
            var run = await FfmpegRun.RunAsync(context, "ffmpeg", Arguments(input, stream.AudioIndex, clip, streamDuration, partial), cancellationToken);
            if (run.ExitCode != 0)
                throw new StageFailedException($"ffmpeg could not extract audio stream #{stream.Index} from {input} (exit code {run.ExitCode}): {run.ErrorSummary}; the file may be truncated or damaged: copy or download it again");
            var result = Inspect(partial, run);
            if (result.Duration <= 0)
                throw new StageFailedException($"ffmpeg extracted no audio from stream #{stream.Index} of {input}{(run.ErrorCount > 0 ? $" ({run.LastError})" : "")}; check the file and config 'start'/'end'");
            var expected = clip.Length(streamDuration);
            if (run.ErrorCount > 0 && expected is { } wanted && result.Duration < wanted - Math.Max(1.0, 0.02 * wanted))
                throw new StageFailedException($"{input} is truncated or damaged: only {result.Duration:0.0} s of {wanted:0.0} s of audio could be decoded (ffmpeg: {run.ErrorSummary}); copy or download the file again");
            if (run.ErrorCount > maxDecodeErrors)
                throw new StageFailedException($"{input} is damaged: ffmpeg reported {run.ErrorCount} decoding errors in audio stream #{stream.Index} (last: {run.LastError}); repair or download the file again, or raise config 'max_decode_errors' (now {maxDecodeErrors}) to accept it");
            File.Move(partial, output, overwrite: true);
            return result;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static ExtractedAudio Inspect(string wav, FfmpegRun run)
    {
        try
        {
            using var reader = new WavReader(wav);
            return new ExtractedAudio(Math.Round(reader.DurationSeconds, 3), reader.SampleRate, reader.Channels, run.ErrorCount, run.ErrorCount > 0 ? run.LastError : null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new StageFailedException($"ffmpeg wrote no readable WAV ({e.Message}); ffmpeg said: {run.ErrorSummary}", e);
        }
    }

    private static string Seconds(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
