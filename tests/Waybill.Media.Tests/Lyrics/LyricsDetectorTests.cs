using Waybill.Media.Model;
using Waybill.Media.Stages.Lyrics;
using Waybill.Media.Tests.Vad;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Lyrics;

/// <summary>The detector on real espeak-ng speech and a synthetic melody placed at known times.</summary>
public sealed class LyricsDetectorTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static void Log(string text) => TestContext.Current.TestOutputHelper?.WriteLine(text);

    private static double Overlap(double start, double end, IEnumerable<MusicRegion> regions) =>
        regions.Sum(r => Math.Max(0, Math.Min(end, r.End) - Math.Max(start, r.Start)));

    /// <summary>Mean of each feature per second of audio, for reading a failure.</summary>
    private static void Dump(LyricsAnalysis analysis)
    {
        var perSecond = (int)Math.Round(1 / analysis.Music.FrameSeconds);
        var held = MusicScorer.HeldPitch(analysis.Frames, analysis.Music.FrameSeconds);
        for (var s = 0; s * perSecond < analysis.Frames.Count; s++)
        {
            var range = Enumerable.Range(s * perSecond, Math.Min(perSecond, analysis.Frames.Count - s * perSecond)).ToList();
            Log($"{s,3} s: energy {range.Average(i => analysis.Frames[i].EnergyDb),6:0.0} dB, tonal {range.Average(i => MusicScorer.Tonality(analysis.Frames[i])):0.00}, " +
                $"voiced {range.Average(i => analysis.Frames[i].Voiced ? 1.0 : 0):0.00}, held {range.Average(i => held[i]):0.00}, score {range.Average(i => analysis.Scores[i]):0.00}");
        }
        foreach (var r in analysis.Music.Regions) Log($"music {r.Start:0.000}-{r.End:0.000} score {r.Score:0.00}");
    }

    [Fact]
    public void A_melody_between_two_sentences_is_music_and_the_sentences_are_not()
    {
        var first = TestAudio.Speak(_temp.Path, "Good evening and welcome to the programme. Tonight we talk about trains");
        var melody = Melody.Render(Melody.Tune);
        var second = TestAudio.Speak(_temp.Path, "That was lovely. Now let us go back to the station and meet the driver");
        var wav = _temp.Combine("mixed.wav");
        var starts = TestAudio.Compose(wav, 0.5, first, 0.5, melody, 0.5, second, 0.5);

        var analysis = LyricsDetector.Detect(wav, new MusicOptions(), TestContext.Current.CancellationToken);
        Dump(analysis);

        var melodyStart = starts[1] / 16000.0;
        var melodyEnd = melodyStart + melody.Length / 16000.0;
        Assert.True(Overlap(melodyStart, melodyEnd, analysis.Music.Regions) >= 0.7 * (melodyEnd - melodyStart),
            $"only {Overlap(melodyStart, melodyEnd, analysis.Music.Regions):0.00} s of the {melodyEnd - melodyStart:0.00} s melody were found");
        foreach (var (clip, at) in new[] { (first, starts[0]), (second, starts[2]) })
        {
            var (audibleFirst, audibleLast) = TestAudio.Audible(clip);
            var from = (at + audibleFirst) / 16000.0;
            var to = (at + audibleLast) / 16000.0;
            Assert.True(Overlap(from, to, analysis.Music.Regions) <= 0.25, $"speech {from:0.00}-{to:0.00} s was marked as music");
        }
        Assert.Equal(MusicScorer.Features, analysis.Music.Features);
        Assert.Equal(0.032, analysis.Music.FrameSeconds, 6);
        Assert.All(analysis.Music.Regions, r => Assert.InRange(r.Score, 0.6, 1.0));
    }

    [Fact]
    public void Speech_alone_has_no_music()
    {
        var clips = new[]
        {
            TestAudio.Speak(_temp.Path, "The committee will meet on Thursday to discuss the budget for next year"),
            TestAudio.Speak(_temp.Path, "Nobody expected the weather to change so quickly in the afternoon", "en-gb"),
            TestAudio.Speak(_temp.Path, "Could you please repeat the question? I did not hear it well"),
        };
        var wav = _temp.Combine("talk.wav");
        TestAudio.Compose(wav, clips[0], 0.3, clips[1], 0.3, clips[2]);
        var analysis = LyricsDetector.Detect(wav, new MusicOptions(), TestContext.Current.CancellationToken);
        Dump(analysis);
        Assert.Empty(analysis.Music.Regions);
    }

    [Fact]
    public void Silence_has_no_music()
    {
        var wav = _temp.Combine("silence.wav");
        TestAudio.Compose(wav, 6.0);
        var analysis = LyricsDetector.Detect(wav, new MusicOptions(), TestContext.Current.CancellationToken);
        Assert.Empty(analysis.Music.Regions);
        Assert.Equal(6.0, analysis.AudioSeconds, 3);
        Assert.InRange(analysis.Frames.Count, 186, 189);
    }

    [Fact]
    public void A_melody_shorter_than_the_minimum_region_is_dropped()
    {
        var wav = _temp.Combine("jingle.wav");
        var melody = Melody.Render([69, 72, 76, 74, 71, 67]);  // 3 s
        TestAudio.Compose(wav, 1.0, melody, 1.0);
        Assert.Single(LyricsDetector.Detect(wav, new MusicOptions(), TestContext.Current.CancellationToken).Music.Regions);
        Assert.Empty(LyricsDetector.Detect(wav, new MusicOptions(MinRegionSeconds: 4), TestContext.Current.CancellationToken).Music.Regions);
    }

    [Fact]
    public void Noise_is_not_music()
    {
        var wav = _temp.Combine("noise.wav");
        TestAudio.Compose(wav, TestAudio.Noise(5, 0.1));
        var analysis = LyricsDetector.Detect(wav, new MusicOptions(), TestContext.Current.CancellationToken);
        Assert.Empty(analysis.Music.Regions);
        Assert.All(analysis.Frames, f => Assert.False(f.Voiced));
    }

    [Fact]
    public void A_minute_of_audio_is_analysed_quickly()
    {
        var wav = _temp.Combine("minute.wav");
        var pieces = new List<object>();
        var speech = TestAudio.Speak(_temp.Path, "The train now standing at platform two is the express service");
        var melody = Melody.Render(Melody.Tune);
        for (var seconds = 0.0; seconds < 60; seconds += (speech.Length + melody.Length) / 16000.0 + 1)
        {
            pieces.AddRange([speech, 0.5, melody, 0.5]);
        }
        TestAudio.Compose(wav, [.. pieces]);
        var analysis = LyricsDetector.Detect(wav, new MusicOptions(), TestContext.Current.CancellationToken);
        Log($"{analysis.AudioSeconds:0.0} s, {analysis.Frames.Count} frames in {analysis.ProcessingSeconds:0.000} s: real-time factor {analysis.RealTimeFactor:0.0000}");
        Assert.Equal(pieces.Count / 4, analysis.Music.Regions.Count);
    }
}
