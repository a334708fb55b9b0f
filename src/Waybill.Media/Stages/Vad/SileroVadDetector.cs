using System.Diagnostics;
using Waybill.Core.Stages;
using Waybill.Media.Audio;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Vad;

/// <summary>What a pass over one file found, and how fast.</summary>
public sealed record VadResult(SpeechSegments Segments, int Windows, double AudioSeconds, double ProcessingSeconds)
{
    public double SpeechSeconds => Segments.Segments.Sum(s => s.Duration);
    public double RealTimeFactor => AudioSeconds > 0 ? ProcessingSeconds / AudioSeconds : 0;
    public double WindowsPerSecond => ProcessingSeconds > 0 ? Windows / ProcessingSeconds : 0;
}

/// <summary>
/// Streams a 16 kHz WAV file through <see cref="SileroVadModel"/> window by window (only one 512-sample buffer and
/// one probability per window are kept, about 125 KB per hour) and segments the probabilities.
/// </summary>
public static class SileroVadDetector
{
    public static VadResult Detect(SileroVadModel model, string wavPath, VadOptions options, CancellationToken cancellationToken = default)
    {
        using var reader = OpenReader(wavPath);
        if (reader.SampleRate != SileroVadModel.SampleRate)
            throw new StageFailedException(
                $"{wavPath} is sampled at {reader.SampleRate} Hz; Silero VAD needs {SileroVadModel.SampleRate} Hz mono audio. " +
                "01_demux always resamples to 16 kHz; resample other files with: ffmpeg -i in.wav -ac 1 -ar 16000 out.wav");

        var clock = Stopwatch.StartNew();
        model.Reset();
        var window = new float[SileroVadModel.WindowSamples];
        var probabilities = new List<float>((int)Math.Min(int.MaxValue, reader.FrameCount / SileroVadModel.WindowSamples + 1));
        long total = 0;
        int read;
        while ((read = reader.Read(window)) > 0)
        {
            if ((probabilities.Count & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            probabilities.Add(model.Process(window.AsSpan(0, read)));
            total += read;
            if (read < window.Length) break;
        }
        var segments = SpeechSegmenter.Segment(probabilities, SileroVadModel.WindowSamples, SileroVadModel.SampleRate, total, options);
        clock.Stop();

        var duration = (double)total / SileroVadModel.SampleRate;
        return new VadResult(
            new SpeechSegments
            {
                SampleRate = SileroVadModel.SampleRate,
                Duration = Math.Round(duration, 3),
                Threshold = options.Threshold,
                MinSpeechMs = options.MinSpeechMs,
                MinSilenceMs = options.MinSilenceMs,
                SpeechPadMs = options.SpeechPadMs,
                Segments = segments,
            },
            probabilities.Count, duration, clock.Elapsed.TotalSeconds);
    }

    private static WavReader OpenReader(string path)
    {
        try
        {
            return new WavReader(path);
        }
        catch (InvalidDataException e)
        {
            throw new StageFailedException($"cannot read the audio: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new StageFailedException($"cannot open the audio {path}: {e.Message}", e);
        }
    }
}
