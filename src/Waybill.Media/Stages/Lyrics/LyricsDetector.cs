using System.Diagnostics;
using Waybill.Core.Stages;
using Waybill.Media.Audio;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Lyrics;

/// <summary>What one pass found: the regions, the per-frame features and scores (for the log and tests), and timing.</summary>
public sealed record LyricsAnalysis(MusicRegions Music, IReadOnlyList<FrameFeatures> Frames, double[] Scores, double AudioSeconds, double ProcessingSeconds)
{
    public double RealTimeFactor => AudioSeconds > 0 ? ProcessingSeconds / AudioSeconds : 0;
    public double MusicSeconds => Music.Regions.Sum(r => r.End - r.Start);
}

/// <summary>Streams a WAV file frame by frame through <see cref="FrameAnalyzer"/> (16 bytes kept per 32 ms frame) and scores it.</summary>
public static class LyricsDetector
{
    public static LyricsAnalysis Detect(string wavPath, MusicOptions options, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        using var reader = Open(wavPath);
        var analyzer = new FrameAnalyzer(reader.SampleRate);
        var frame = new float[analyzer.FrameSize];
        var frames = new List<FrameFeatures>((int)Math.Min(int.MaxValue, reader.FrameCount / analyzer.Hop + 1));

        // Each step keeps the last half frame and reads one hop of new samples; the last frame is padded with zeros.
        if (reader.Read(frame.AsSpan(0, analyzer.Hop)) > 0)
        {
            while (true)
            {
                var got = reader.Read(frame.AsSpan(analyzer.Hop));
                frame.AsSpan(analyzer.Hop + got).Clear();
                if ((frames.Count & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
                frames.Add(analyzer.Analyze(frame));
                if (got < analyzer.Hop) break;
                frame.AsSpan(analyzer.Hop).CopyTo(frame);
            }
        }

        var duration = reader.DurationSeconds;
        var scores = MusicScorer.Score(frames, analyzer.HopSeconds, options);
        // A frame's score belongs to its middle hop: from a quarter to three quarters of the frame.
        var offset = analyzer.FrameSize / 4.0 / reader.SampleRate;
        var regions = MusicScorer.Regions(scores, analyzer.HopSeconds, offset, duration, options);
        clock.Stop();
        return new LyricsAnalysis(
            new MusicRegions { Features = [.. MusicScorer.Features], FrameSeconds = Math.Round(analyzer.HopSeconds, 6), Regions = regions },
            frames, scores, duration, clock.Elapsed.TotalSeconds);
    }

    private static WavReader Open(string path)
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
