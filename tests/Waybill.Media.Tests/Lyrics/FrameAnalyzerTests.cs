using Waybill.Media.Stages.Lyrics;
using Waybill.Media.Tests.Vad;
using Xunit;

namespace Waybill.Media.Tests.Lyrics;

/// <summary>The FFT against a direct DFT, and the frame features on signals whose answer is known.</summary>
public sealed class FrameAnalyzerTests
{
    [Fact]
    public void The_fft_matches_a_direct_dft_and_inverts()
    {
        const int n = 64;
        var random = new Random(5);
        var re = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var (re0, im0) = ((double[])re.Clone(), (double[])im.Clone());
        var fft = new Fft(n);
        fft.Transform(re, im);
        for (var k = 0; k < n; k++)
        {
            double sr = 0, si = 0;
            for (var t = 0; t < n; t++)
            {
                var angle = -2 * Math.PI * k * t / n;
                sr += re0[t] * Math.Cos(angle) - im0[t] * Math.Sin(angle);
                si += re0[t] * Math.Sin(angle) + im0[t] * Math.Cos(angle);
            }
            Assert.Equal(sr, re[k], 9);
            Assert.Equal(si, im[k], 9);
        }
        fft.Transform(re, im, inverse: true);
        for (var t = 0; t < n; t++)
        {
            Assert.Equal(re0[t], re[t] / n, 9);
            Assert.Equal(im0[t], im[t] / n, 9);
        }
        Assert.Throws<ArgumentException>(() => new Fft(100));
    }

    [Theory]
    [InlineData(82.41)]
    [InlineData(110)]
    [InlineData(196)]
    [InlineData(440)]
    [InlineData(880)]
    public void The_pitch_of_a_tone_is_found_within_one_percent(double hz)
    {
        var analyzer = new FrameAnalyzer(16000);
        Assert.Equal(1024, analyzer.FrameSize);
        var frame = TestAudio.Tone(0.2, hz).AsSpan(0, 1024);
        var features = analyzer.Analyze(frame);
        Assert.True(features.Voiced);
        Assert.InRange(features.PitchHz, hz * 0.99, hz * 1.01);
        Assert.InRange(features.Clarity, 0.9, 1.0);
        Assert.InRange(features.EnergyDb, -9.5, -8.5);   // a 0.5 sine: RMS 0.354 = -9.0 dBFS
        Assert.True(features.Flatness < 0.001, $"flatness {features.Flatness}");
    }

    [Fact]
    public void A_tone_with_a_strong_second_harmonic_keeps_its_fundamental()
    {
        var tone = TestAudio.Tone(0.1, 150, 0.3);
        var octave = TestAudio.Tone(0.1, 300, 0.5);
        var frame = tone.Zip(octave, (a, b) => a + b).Take(1024).ToArray();
        var features = new FrameAnalyzer(16000).Analyze(frame);
        Assert.InRange(features.PitchHz, 148.5, 151.5);
    }

    [Fact]
    public void Noise_is_flat_and_unvoiced_and_silence_is_quiet()
    {
        var analyzer = new FrameAnalyzer(16000);
        var noise = analyzer.Analyze(TestAudio.Noise(0.1, 0.1).AsSpan(0, 1024));
        Assert.False(noise.Voiced);
        Assert.True(noise.Flatness > 0.3, $"flatness {noise.Flatness}");
        var silence = analyzer.Analyze(new float[1024]);
        Assert.False(silence.Voiced);
        Assert.True(silence.EnergyDb < -100);
    }

    [Fact]
    public void Held_pitch_grows_with_the_length_of_a_steady_run_and_breaks_on_jumps()
    {
        static FrameFeatures F(double hz) => new(-20, 0.01f, (float)hz, hz > 0 ? 0.9f : 0.1f);
        // 20 frames at 220 Hz with a slight wobble (0.64 s), a jump to 330 Hz for 3 frames (96 ms), a gap, a glide.
        var frames = new List<FrameFeatures>();
        for (var i = 0; i < 20; i++) frames.Add(F(220 * Math.Pow(2, 0.3 * Math.Sin(i) / 12)));
        for (var i = 0; i < 3; i++) frames.Add(F(330));
        frames.Add(F(0));
        for (var i = 0; i < 10; i++) frames.Add(F(150 * Math.Pow(2, i * 0.5 / 12)));  // +0.5 semitone per frame
        var held = MusicScorer.HeldPitch(frames, 0.032);
        Assert.All(held[..20], h => Assert.Equal(1, h));
        Assert.All(held[20..23], h => Assert.Equal(0, h));
        Assert.Equal(0, held[23]);
        Assert.All(held[24..], h => Assert.True(h < 0.5, $"a glide held {h}"));
    }

    [Fact]
    public void Regions_bridge_short_gaps_and_drop_short_runs()
    {
        var score = new double[200];
        for (var i = 10; i < 60; i++) score[i] = 0.9;     // 1.6 s
        for (var i = 70; i < 120; i++) score[i] = 0.8;    // after a 0.32 s gap: bridged
        for (var i = 150; i < 170; i++) score[i] = 0.9;   // 0.64 s alone: dropped
        var regions = MusicScorer.Regions(score, 0.032, 0.016, 200 * 0.032, new MusicOptions());
        var region = Assert.Single(regions);
        Assert.Equal(0.016 + 10 * 0.032, region.Start, 3);
        Assert.Equal(0.016 + 120 * 0.032, region.End, 3);
        Assert.Equal((50 * 0.9 + 50 * 0.8) / 110, region.Score, 3);   // the bridged gap counts as 0
    }
}
