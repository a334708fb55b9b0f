using Waybill.Core.Stages;
using Waybill.Media.Stages.Vad;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Vad;

/// <summary>The real Silero model on real (synthesised) speech placed at known sample offsets.</summary>
public sealed class SileroVadDetectorTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly SileroVadModel _model = new(ModelPath);

    public void Dispose()
    {
        _model.Dispose();
        _temp.Dispose();
    }

    internal static string ModelPath
    {
        get
        {
            var path = VadModelLocator.Resolve(null, Environment.GetEnvironmentVariable("WAYBILL_MODEL_DIR"), Environment.CurrentDirectory);
            Assert.True(File.Exists(path), $"the Silero model is missing at {path}: run scripts/fetch-models.sh");
            return path;
        }
    }

    private static void Log(string text) => TestContext.Current.TestOutputHelper?.WriteLine(text);

    private static readonly string[] Sentences =
    [
        "The quick brown fox jumps over the lazy dog",
        "Please call Stella and ask her to bring these things",
        "We will meet again tomorrow morning at the station",
    ];

    [Fact]
    public void Each_utterance_is_found_within_150_ms_of_where_it_really_starts_and_ends()
    {
        var clips = Sentences.Select(s => TestAudio.Speak(_temp.Path, s)).ToArray();
        var wav = _temp.Combine("speech.wav");
        var starts = TestAudio.Compose(wav, 1.0, clips[0], 1.2, clips[1], 2.0, clips[2], 1.0);

        // No padding: the detected edges are compared with the true ones directly.
        var result = SileroVadDetector.Detect(_model, wav, new VadOptions(SpeechPadMs: 0), TestContext.Current.CancellationToken);
        var segments = result.Segments.Segments;
        foreach (var s in segments) Log($"detected {s.Start:0.000}-{s.End:0.000} p={s.Probability:0.000}");

        Assert.Equal(clips.Length, segments.Count);
        for (var i = 0; i < clips.Length; i++)
        {
            var (first, last) = TestAudio.Audible(clips[i]);
            var trueStart = (starts[i] + first) / (double)TestAudio.Rate;
            var trueEnd = (starts[i] + last + 1) / (double)TestAudio.Rate;
            Log($"true     {trueStart:0.000}-{trueEnd:0.000}");
            Assert.InRange(segments[i].Start, trueStart - 0.15, trueStart + 0.15);
            Assert.InRange(segments[i].End, trueEnd - 0.15, trueEnd + 0.15);
            Assert.InRange(segments[i].Probability, 0.5, 1.0);
        }
        Assert.Equal(16000, result.Segments.SampleRate);
        Assert.Equal(starts[^1] / 16000.0 + clips[^1].Length / 16000.0 + 1.0, result.Segments.Duration, 3);
    }

    [Fact]
    public void Padding_widens_segments_without_overlap_and_stays_inside_the_audio()
    {
        var clip = TestAudio.Speak(_temp.Path, Sentences[0]);
        var wav = _temp.Combine("tight.wav");
        // The first clip starts at 0 and the file ends 50 ms after the second: both outer pads are clamped.
        TestAudio.Compose(wav, clip, 0.5, clip, 0.05);

        var bare = SileroVadDetector.Detect(_model, wav, new VadOptions(SpeechPadMs: 0), TestContext.Current.CancellationToken).Segments;
        var padded = SileroVadDetector.Detect(_model, wav, new VadOptions(SpeechPadMs: 300), TestContext.Current.CancellationToken).Segments;
        Assert.Equal(2, bare.Segments.Count);
        Assert.Equal(2, padded.Segments.Count);
        Assert.Equal(Math.Max(0, bare.Segments[0].Start - 0.3), padded.Segments[0].Start, 3);
        Assert.Equal(Math.Min(bare.Duration, bare.Segments[1].End + 0.3), padded.Segments[1].End, 3);
        var gap = bare.Segments[1].Start - bare.Segments[0].End;
        // A gap shorter than two pads is split in the middle; a longer one gets a full pad on each side.
        var grow = gap < 0.6 ? gap / 2 : 0.3;
        Assert.Equal(bare.Segments[0].End + grow, padded.Segments[0].End, 0.002);
        Assert.Equal(bare.Segments[1].Start - grow, padded.Segments[1].Start, 0.002);
        Assert.True(padded.Segments[0].End <= padded.Segments[1].Start, "padded segments overlap");
    }

    [Fact]
    public void Silence_gives_no_segments()
    {
        var wav = _temp.Combine("silence.wav");
        TestAudio.Compose(wav, 5.0);
        var result = SileroVadDetector.Detect(_model, wav, new VadOptions(), TestContext.Current.CancellationToken);
        Assert.Empty(result.Segments.Segments);
        Assert.Equal(5.0, result.Segments.Duration, 3);
        Assert.Equal(5 * 16000 / 512 + 1, result.Windows);
    }

    [Fact]
    public void A_steady_tone_and_white_noise_are_not_speech()
    {
        var wav = _temp.Combine("tone-noise.wav");
        TestAudio.Compose(wav, 0.5, TestAudio.Tone(4, 440), 0.5, TestAudio.Noise(4, 0.05), 0.5);
        var result = SileroVadDetector.Detect(_model, wav, new VadOptions(), TestContext.Current.CancellationToken);
        foreach (var s in result.Segments.Segments) Log($"detected {s.Start:0.000}-{s.End:0.000} p={s.Probability:0.000}");
        Assert.True(result.SpeechSeconds < 0.5, $"{result.SpeechSeconds:0.00} s of a tone and noise were called speech");
    }

    [Fact]
    public void Speech_under_noise_is_still_found_and_the_noise_alone_is_not()
    {
        var clip = TestAudio.Speak(_temp.Path, Sentences[1]);
        var noise = TestAudio.Noise(3 + clip.Length / 16000.0, 0.005, seed: 3);
        for (var i = 0; i < clip.Length; i++) noise[16000 + i] += clip[i];
        var wav = _temp.Combine("noisy.wav");
        TestAudio.Compose(wav, noise);
        var segments = SileroVadDetector.Detect(_model, wav, new VadOptions(SpeechPadMs: 0), TestContext.Current.CancellationToken).Segments.Segments;
        var (first, last) = TestAudio.Audible(clip);
        var segment = Assert.Single(segments);
        Assert.InRange(segment.Start, 1 + first / 16000.0 - 0.15, 1 + first / 16000.0 + 0.15);
        Assert.InRange(segment.End, 1 + last / 16000.0 - 0.15, 1 + last / 16000.0 + 0.15);
    }

    [Fact]
    public void Audio_at_8_kHz_is_refused_with_a_clear_message()
    {
        var wav = _temp.Combine("narrow.wav");
        TestAudio.Compose(wav, 8000, TestAudio.Tone(1, 300));
        var error = Assert.Throws<StageFailedException>(() => SileroVadDetector.Detect(_model, wav, new VadOptions(), TestContext.Current.CancellationToken));
        Assert.Contains("8000 Hz", error.Message, StringComparison.Ordinal);
        Assert.Contains("16000 Hz", error.Message, StringComparison.Ordinal);
        Assert.Contains(wav, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_wav_is_refused_with_its_name()
    {
        var path = _temp.Write("notes.wav", "not audio at all");
        var error = Assert.Throws<StageFailedException>(() => SileroVadDetector.Detect(_model, path, new VadOptions(), TestContext.Current.CancellationToken));
        Assert.Contains("notes.wav", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_minute_of_speech_streams_fast_and_allocates_little()
    {
        var clips = Sentences.Select(s => TestAudio.Speak(_temp.Path, s)).ToArray();
        var pieces = new List<object>();
        var seconds = 0.0;
        for (var i = 0; seconds < 60; i++)
        {
            pieces.Add(clips[i % clips.Length]);
            pieces.Add(0.8);
            seconds += clips[i % clips.Length].Length / 16000.0 + 0.8;
        }
        var wav = _temp.Combine("minute.wav");
        TestAudio.Compose(wav, [.. pieces]);

        SileroVadDetector.Detect(_model, wav, new VadOptions(), TestContext.Current.CancellationToken); // warm-up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = SileroVadDetector.Detect(_model, wav, new VadOptions(), TestContext.Current.CancellationToken);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Log($"{result.AudioSeconds:0.0} s audio, {result.Windows} windows in {result.ProcessingSeconds:0.000} s: " +
            $"{result.WindowsPerSecond:0} windows/s, real-time factor {result.RealTimeFactor:0.0000}, {allocated / 1024.0:0} KiB allocated");
        Assert.Equal(pieces.Count / 2, result.Segments.Segments.Count);
        // Streaming: the minute of samples alone would be 3.8 MB as floats; only window-sized buffers and one float per window are allocated.
        Assert.True(allocated < 256 * 1024, $"{allocated} bytes allocated for {result.AudioSeconds:0} s of audio");
    }
}
