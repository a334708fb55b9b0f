using Waybill.Media.Model;

namespace Waybill.Media.Stages.Lyrics;

/// <summary>How frame features become music regions.</summary>
public sealed record MusicOptions(double Threshold = 0.6, double MinRegionSeconds = 1.5, double SmoothingSeconds = 1.0, double EnergyFloorDb = -50)
{
    public string? Problem() =>
        Threshold is <= 0 or >= 1 ? $"threshold must lie between 0 and 1 (exclusive), not {Threshold}"
        : MinRegionSeconds < 0 ? $"min_region_seconds must not be negative, not {MinRegionSeconds}"
        : SmoothingSeconds <= 0 ? $"smoothing_seconds must be positive, not {SmoothingSeconds}"
        : null;
}

/// <summary>
/// Scores each frame for music and cuts regions. Sung or played notes hold one pitch (vibrato aside) for hundreds of
/// milliseconds; speech pitch glides all the time and breaks at every unvoiced consonant. So the main feature is
/// how long the frame's steady-pitch run lasts (<see cref="HeldPitch"/>), helped by tonality (low spectral flatness)
/// and gated by energy. The score is averaged over <c>smoothing_seconds</c>, thresholded, and regions shorter than
/// <c>min_region_seconds</c> are dropped after gaps under half a second are bridged.
/// </summary>
public static class MusicScorer
{
    public static readonly string[] Features = ["spectral_flatness", "pitch_stability", "energy"];

    /// <summary>A run continues while the pitch stays within this many semitones of the run's mean (room for vibrato).</summary>
    public const double RunToleranceSemitones = 1.0;
    /// <summary>Runs up to this long score 0 (a spoken syllable); from <see cref="HeldFullSeconds"/> on they score 1.</summary>
    public const double HeldZeroSeconds = 0.15;
    public const double HeldFullSeconds = 0.4;
    public const double HeldWeight = 0.7;
    public const double MaxGapSeconds = 0.5;

    /// <summary>Per frame, in [0, 1]: how long a steady pitch is held around it.</summary>
    public static double[] HeldPitch(IReadOnlyList<FrameFeatures> frames, double hopSeconds)
    {
        var held = new double[frames.Count];
        var start = -1;
        double sum = 0;
        for (var t = 0; t <= frames.Count; t++)
        {
            var voiced = t < frames.Count && frames[t].Voiced;
            var semitone = voiced ? 12 * Math.Log2(frames[t].PitchHz / 440.0) : 0;
            if (start >= 0 && voiced && Math.Abs(semitone - sum / (t - start)) <= RunToleranceSemitones)
            {
                sum += semitone;
                continue;
            }
            if (start >= 0)
            {
                var value = Math.Clamp(((t - start) * hopSeconds - HeldZeroSeconds) / (HeldFullSeconds - HeldZeroSeconds), 0, 1);
                for (var i = start; i < t; i++) held[i] = value;
            }
            (start, sum) = voiced ? (t, semitone) : (-1, 0);
        }
        return held;
    }

    /// <summary>Per frame, in [0, 1]: 0 for a noise-like spectrum (flatness 0.1 and above), 1 for a pure tone (flatness 0.001 and below).</summary>
    public static double Tonality(FrameFeatures frame) => Math.Clamp((-10 * Math.Log10(frame.Flatness + 1e-12) - 10) / 20, 0, 1);

    /// <summary>The smoothed per-frame music score.</summary>
    public static double[] Score(IReadOnlyList<FrameFeatures> frames, double hopSeconds, MusicOptions options)
    {
        var held = HeldPitch(frames, hopSeconds);
        var raw = new double[frames.Count];
        for (var t = 0; t < frames.Count; t++)
            raw[t] = frames[t].EnergyDb > options.EnergyFloorDb ? HeldWeight * held[t] + (1 - HeldWeight) * Tonality(frames[t]) : 0;
        return MovingAverage(raw, Math.Max(1, (int)Math.Round(options.SmoothingSeconds / hopSeconds)));
    }

    /// <summary>
    /// Regions where the smoothed score reaches the threshold. Frame <c>t</c> stands for the time
    /// [<paramref name="frameOffsetSeconds"/> + t·hop, … + hop): the middle of its analysis frame.
    /// </summary>
    public static List<MusicRegion> Regions(double[] score, double hopSeconds, double frameOffsetSeconds, double duration, MusicOptions options)
    {
        var runs = new List<(int Start, int End)>();
        for (var t = 0; t < score.Length; t++)
        {
            if (score[t] < options.Threshold) continue;
            var end = t;
            while (end < score.Length && score[end] >= options.Threshold) end++;
            if (runs.Count > 0 && (t - runs[^1].End) * hopSeconds < MaxGapSeconds) runs[^1] = (runs[^1].Start, end);
            else runs.Add((t, end));
            t = end;
        }
        var regions = new List<MusicRegion>();
        foreach (var (start, end) in runs)
        {
            var from = Math.Clamp(frameOffsetSeconds + start * hopSeconds, 0, duration);
            var to = Math.Clamp(frameOffsetSeconds + end * hopSeconds, 0, duration);
            if (to - from < options.MinRegionSeconds) continue;
            var mean = 0.0;
            for (var t = start; t < end; t++) mean += score[t];
            regions.Add(new MusicRegion(Math.Round(from, 3), Math.Round(to, 3), Math.Round(Math.Min(1, mean / (end - start)), 3)));
        }
        return regions;
    }

    private static double[] MovingAverage(double[] values, int width)
    {
        var result = new double[values.Length];
        var half = width / 2;
        var prefix = new double[values.Length + 1];
        for (var i = 0; i < values.Length; i++) prefix[i + 1] = prefix[i] + values[i];
        for (var i = 0; i < values.Length; i++)
        {
            var from = Math.Max(0, i - half);
            var to = Math.Min(values.Length, i + half + 1);
            result[i] = (prefix[to] - prefix[from]) / (to - from);
        }
        return result;
    }
}
