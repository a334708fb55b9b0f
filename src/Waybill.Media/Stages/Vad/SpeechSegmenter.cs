using Waybill.Media.Model;

namespace Waybill.Media.Stages.Vad;

/// <summary>How window probabilities become speech segments (the parameters of Silero's get_speech_timestamps).</summary>
public sealed record VadOptions(double Threshold = 0.5, int MinSpeechMs = 250, int MinSilenceMs = 300, int SpeechPadMs = 100)
{
    /// <summary>Speech ends only when the probability falls below this (hysteresis), as in the reference: threshold - 0.15.</summary>
    public double NegThreshold => Math.Max(Threshold - 0.15, 0.01);

    /// <summary>A one-line description of what is wrong with the options, or null.</summary>
    public string? Problem() =>
        Threshold is <= 0 or >= 1 ? $"threshold must lie between 0 and 1 (exclusive), not {Threshold}"
        : MinSpeechMs < 0 ? $"min_speech_ms must not be negative, not {MinSpeechMs}"
        : MinSilenceMs < 0 ? $"min_silence_ms must not be negative, not {MinSilenceMs}"
        : SpeechPadMs < 0 ? $"speech_pad_ms must not be negative, not {SpeechPadMs}"
        : null;
}

/// <summary>
/// Turns per-window speech probabilities into segments the way Silero's reference <c>get_speech_timestamps</c>
/// does (without its maximum segment length): speech starts at a window at or above the threshold, ends after
/// <c>min_silence_ms</c> below the negative threshold, is dropped when not longer than <c>min_speech_ms</c>, and is
/// padded by <c>speech_pad_ms</c> on both sides, sharing the gap when two segments are closer than twice the pad.
/// </summary>
public static class SpeechSegmenter
{
    public static List<SpeechSegment> Segment(IReadOnlyList<float> probabilities, int windowSamples, int sampleRate, long totalSamples, VadOptions options)
    {
        var minSpeech = sampleRate * options.MinSpeechMs / 1000.0;
        var minSilence = sampleRate * options.MinSilenceMs / 1000.0;
        var pad = (long)(sampleRate * options.SpeechPadMs / 1000.0);

        var raw = new List<(long Start, long End, double Probability)>();
        var triggered = false;
        long start = 0, tempEnd = 0;
        for (var i = 0; i < probabilities.Count; i++)
        {
            var p = probabilities[i];
            var at = (long)windowSamples * i;
            if (p >= options.Threshold && tempEnd != 0) tempEnd = 0;
            if (p >= options.Threshold && !triggered)
            {
                triggered = true;
                start = at;
                continue;
            }
            if (p < options.NegThreshold && triggered)
            {
                if (tempEnd == 0) tempEnd = at;
                if (at - tempEnd < minSilence) continue;
                if (tempEnd - start > minSpeech) raw.Add((start, tempEnd, 0));
                tempEnd = 0;
                triggered = false;
            }
        }
        if (triggered && totalSamples - start > minSpeech) raw.Add((start, totalSamples, 0));

        // Probability over the unpadded segment's windows, before padding moves the edges.
        for (var i = 0; i < raw.Count; i++)
            raw[i] = raw[i] with { Probability = MeanProbability(probabilities, raw[i].Start, raw[i].End, windowSamples) };

        var padded = raw.Select(s => (s.Start, s.End)).ToArray();
        for (var i = 0; i < padded.Length; i++)
        {
            if (i == 0) padded[i].Start = Math.Max(0, padded[i].Start - pad);
            if (i < padded.Length - 1)
            {
                var silence = padded[i + 1].Start - padded[i].End;
                if (silence < 2 * pad)
                {
                    padded[i].End += silence / 2;
                    padded[i + 1].Start = Math.Max(0, padded[i + 1].Start - silence / 2);
                }
                else
                {
                    padded[i].End = Math.Min(totalSamples, padded[i].End + pad);
                    padded[i + 1].Start = Math.Max(0, padded[i + 1].Start - pad);
                }
            }
            else padded[i].End = Math.Min(totalSamples, padded[i].End + pad);
        }

        return [.. padded.Select((s, i) => new SpeechSegment(
            Math.Round(Math.Clamp(s.Start, 0, totalSamples) / (double)sampleRate, 3),
            Math.Round(Math.Clamp(s.End, 0, totalSamples) / (double)sampleRate, 3),
            Math.Round(raw[i].Probability, 3)))];
    }

    private static double MeanProbability(IReadOnlyList<float> probabilities, long start, long end, int windowSamples)
    {
        var first = (int)(start / windowSamples);
        var last = (int)Math.Min(probabilities.Count, (end + windowSamples - 1) / windowSamples);
        if (last <= first) return probabilities.Count > first ? probabilities[first] : 0;
        double sum = 0;
        for (var i = first; i < last; i++) sum += probabilities[i];
        return sum / (last - first);
    }
}
