using Waybill.Media.Model;
using Waybill.Media.Stages.Vad;
using Xunit;

namespace Waybill.Media.Tests.Vad;

/// <summary>The reference segmentation rules on hand-made probability sequences (one value per 512-sample window = 32 ms).</summary>
public sealed class SpeechSegmenterTests
{
    private const int Window = 512;
    private const double W = Window / 16000.0; // 0.032 s

    /// <summary>Probabilities from runs: (value, windows).</summary>
    private static float[] Runs(params (float Value, int Count)[] runs) => [.. runs.SelectMany(r => Enumerable.Repeat(r.Value, r.Count))];

    private static List<SpeechSegment> Segment(float[] probabilities, VadOptions options) =>
        SpeechSegmenter.Segment(probabilities, Window, 16000, (long)probabilities.Length * Window, options);

    [Fact]
    public void Speech_starts_at_the_first_window_over_the_threshold_and_ends_where_silence_began()
    {
        var p = Runs((0.1f, 20), (0.9f, 30), (0.1f, 40));
        var s = Assert.Single(Segment(p, new VadOptions(SpeechPadMs: 0)));
        Assert.Equal(20 * W, s.Start, 3);
        Assert.Equal(50 * W, s.End, 3);
        Assert.Equal(0.9, s.Probability, 3);
    }

    [Fact]
    public void Hysteresis_keeps_speech_going_between_the_negative_threshold_and_the_threshold()
    {
        // 0.4 is below 0.5 but above 0.35 (= 0.5 - 0.15): still speech.
        var p = Runs((0.0f, 5), (0.8f, 10), (0.4f, 30), (0.8f, 10), (0.0f, 30));
        var s = Assert.Single(Segment(p, new VadOptions(SpeechPadMs: 0)));
        Assert.Equal(5 * W, s.Start, 3);
        Assert.Equal(55 * W, s.End, 3);
        Assert.Equal((10 * 0.8 + 30 * 0.4 + 10 * 0.8) / 50, s.Probability, 3);
    }

    [Fact]
    public void A_pause_shorter_than_min_silence_does_not_split_a_segment_and_a_longer_one_does()
    {
        // 300 ms = 9.4 windows: a 9-window pause is bridged, a 12-window pause splits.
        var bridged = Runs((0f, 5), (0.9f, 20), (0f, 9), (0.9f, 20), (0f, 30));
        Assert.Single(Segment(bridged, new VadOptions(SpeechPadMs: 0)));
        var split = Runs((0f, 5), (0.9f, 20), (0f, 12), (0.9f, 20), (0f, 30));
        var segments = Segment(split, new VadOptions(SpeechPadMs: 0));
        Assert.Equal(2, segments.Count);
        Assert.Equal(25 * W, segments[0].End, 3);
        Assert.Equal(37 * W, segments[1].Start, 3);
    }

    [Fact]
    public void Speech_not_longer_than_min_speech_is_dropped()
    {
        // 250 ms = 7.8 windows.
        Assert.Empty(Segment(Runs((0f, 10), (0.9f, 7), (0f, 30)), new VadOptions()));
        Assert.Single(Segment(Runs((0f, 10), (0.9f, 8), (0f, 30)), new VadOptions()));
    }

    [Fact]
    public void Speech_running_to_the_end_ends_at_the_last_sample()
    {
        var p = Runs((0f, 10), (0.9f, 20));
        var total = (long)p.Length * Window - 100;
        var s = Assert.Single(SpeechSegmenter.Segment(p, Window, 16000, total, new VadOptions()));
        Assert.Equal(total / 16000.0, s.End, 3);
        Assert.Equal(10 * W - 0.1, s.Start, 3);
    }

    [Fact]
    public void Pads_are_clamped_to_the_audio_and_shared_when_segments_are_close()
    {
        // Segments at windows [1, 21) and [33, 53); gap 12 windows = 384 ms < 2 x 250 ms pad.
        var p = Runs((0f, 1), (0.9f, 20), (0f, 12), (0.9f, 20), (0f, 2));
        var segments = Segment(p, new VadOptions(SpeechPadMs: 250));
        Assert.Equal(2, segments.Count);
        Assert.Equal(0, segments[0].Start);                        // 32 ms - 250 ms clamps to 0
        Assert.Equal(21 * W + 6 * W, segments[0].End, 3);          // half the gap each
        Assert.Equal(segments[0].End, segments[1].Start, 3);
        Assert.Equal(p.Length * W, segments[1].End, 3);            // 53 windows + 250 ms clamps to the end
    }

    [Fact]
    public void Far_apart_segments_get_a_full_pad_on_both_sides()
    {
        var p = Runs((0f, 40), (0.9f, 20), (0f, 60), (0.9f, 20), (0f, 40));
        var segments = Segment(p, new VadOptions(SpeechPadMs: 100));
        Assert.Equal(2, segments.Count);
        Assert.Equal(40 * W - 0.1, segments[0].Start, 3);
        Assert.Equal(60 * W + 0.1, segments[0].End, 3);
        Assert.Equal(120 * W - 0.1, segments[1].Start, 3);
        Assert.Equal(140 * W + 0.1, segments[1].End, 3);
    }

    [Fact]
    public void No_windows_no_segments()
    {
        Assert.Empty(SpeechSegmenter.Segment([], Window, 16000, 0, new VadOptions()));
    }

    [Theory]
    [InlineData(0.0, 250, 300, 100, "threshold")]
    [InlineData(1.0, 250, 300, 100, "threshold")]
    [InlineData(0.5, -1, 300, 100, "min_speech_ms")]
    [InlineData(0.5, 250, -5, 100, "min_silence_ms")]
    [InlineData(0.5, 250, 300, -1, "speech_pad_ms")]
    public void Bad_options_are_named(double threshold, int minSpeech, int minSilence, int pad, string key)
    {
        Assert.Contains(key, new VadOptions(threshold, minSpeech, minSilence, pad).Problem(), StringComparison.Ordinal);
        Assert.Null(new VadOptions().Problem());
    }
}
