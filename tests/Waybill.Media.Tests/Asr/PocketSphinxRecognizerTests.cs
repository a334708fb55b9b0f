using Microsoft.Extensions.Logging.Abstractions;
using Waybill.Core.Stages;
using Waybill.Media.Audio;
using Waybill.Media.Model;
using Waybill.Media.Stages.Asr;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Asr;

public sealed class PocketSphinxRecognizerTests(SpokenSentences speech, ITestOutputHelper output) : IClassFixture<SpokenSentences>
{
    private static async Task<IReadOnlyList<RecognizedSpan>> RecognizeAsync(SpokenSentences speech, int workers, CancellationToken cancellationToken = default)
    {
        using var recognizer = new PocketSphinxRecognizer(PocketSphinxModel.EnglishUs, workers, NullLogger.Instance);
        await recognizer.LoadAsync(cancellationToken);
        Assert.Equal(workers, recognizer.Workers);
        Assert.True(recognizer.ModelLoadSeconds > 0);
        return await recognizer.RecognizeAsync(new SpeechAudio(speech.AudioPath, 16000, speech.Duration), speech.Segments, cancellationToken);
    }

    [Fact]
    public async Task Recognises_espeak_sentences_with_word_times_inside_their_segments()
    {
        var spans = await RecognizeAsync(speech, workers: 2, TestContext.Current.CancellationToken);

        var hypothesis = new List<string>();
        for (var i = 0; i < speech.Segments.Count; i++)
        {
            var span = spans.SingleOrDefault(s => s.Segment == i);
            var text = span?.Text ?? "";
            output.WriteLine($"{AsrTestAudio.Sentences[i]} => {text} (WER {WordErrorRate.Of(AsrTestAudio.Sentences[i], text):0.00})");
            hypothesis.Add(text);
        }
        var wer = WordErrorRate.Of(string.Join(' ', AsrTestAudio.Sentences), string.Join(' ', hypothesis));
        output.WriteLine($"WER over all sentences: {wer:0.00}");
        Assert.True(wer < 0.6, $"word error rate {wer:0.00} is not below 0.6");
        Assert.True(spans.Count >= speech.Segments.Count - 1, "nearly every sentence should give words");

        foreach (var span in spans)
        {
            var segment = speech.Segments[span.Segment!.Value];
            Assert.Equal(string.Join(' ', span.Words.Select(w => w.Text)), span.Text);
            Assert.All(span.Words, w =>
            {
                Assert.InRange(w.Start, segment.Start, segment.End);
                Assert.InRange(w.End, w.Start, segment.End);
                Assert.InRange(w.Confidence, 0, 1);
                Assert.DoesNotContain('(', w.Text);
                Assert.False(w.Text.StartsWith('<') || w.Text.StartsWith('['), $"filler {w.Text} kept");
            });
            Assert.Equal(span.Words.OrderBy(w => w.Start).Select(w => w.Start), span.Words.Select(w => w.Start));
        }
        // Times are absolute: the last sentence's words come after all the others.
        Assert.True(spans[^1].Words[0].Start > speech.Segments[^1].Start - 0.001);
    }

    [Fact]
    public async Task One_and_two_workers_give_the_same_words()
    {
        var one = await RecognizeAsync(speech, workers: 1, TestContext.Current.CancellationToken);
        var two = await RecognizeAsync(speech, workers: 2, TestContext.Current.CancellationToken);
        Assert.Equal(one.Select(s => (s.Segment, s.Text)), two.Select(s => (s.Segment, s.Text)));
        Assert.Equal(one.SelectMany(s => s.Words), two.SelectMany(s => s.Words));
    }

    [Fact]
    public async Task A_sentence_is_found_where_it_was_spoken()
    {
        // One long recording, but the only VAD segment given is the fourth sentence: the words must lie in it.
        var segment = speech.Segments[3];
        using var recognizer = new PocketSphinxRecognizer(PocketSphinxModel.EnglishUs, 1, NullLogger.Instance);
        var spans = await recognizer.RecognizeAsync(new SpeechAudio(speech.AudioPath, 16000, speech.Duration), [segment], TestContext.Current.CancellationToken);
        var span = Assert.Single(spans);
        Assert.Equal(0, span.Segment);
        Assert.True(WordErrorRate.Of(AsrTestAudio.Sentences[3], span.Text) < 1, span.Text);
        // espeak starts speaking within 0.15 s of its clip and stops at its end.
        Assert.InRange(span.Words[0].Start, segment.Start, segment.Start + 0.6);
        Assert.InRange(span.Words[^1].End, segment.End - 0.8, segment.End);
    }

    [Fact]
    public async Task Context_around_tight_segments_keeps_recognition_good()
    {
        // Segments as tight as VAD's 30 ms padding: the audible part of each clip.
        var tight = new List<SpeechSegment>();
        for (var i = 0; i < speech.Clips.Count; i++)
        {
            var clip = speech.Clips[i];
            var first = Array.FindIndex(clip, s => Math.Abs(s) >= 0.01f);
            var last = Array.FindLastIndex(clip, s => Math.Abs(s) >= 0.01f);
            tight.Add(new SpeechSegment(Math.Round(speech.Segments[i].Start + (first / 16000.0) - 0.03, 3), Math.Round(speech.Segments[i].Start + (last / 16000.0) + 0.03, 3), 0.9));
        }
        var reference = string.Join(' ', AsrTestAudio.Sentences);
        async Task<double> WerAsync(double context)
        {
            using var recognizer = new PocketSphinxRecognizer(PocketSphinxModel.EnglishUs, 2, NullLogger.Instance, contextSeconds: context);
            var spans = await recognizer.RecognizeAsync(new SpeechAudio(speech.AudioPath, 16000, speech.Duration), tight, TestContext.Current.CancellationToken);
            return WordErrorRate.Of(reference, string.Join(' ', spans.Select(s => s.Text)));
        }
        var without = await WerAsync(0);
        var with = await WerAsync(0.25);
        output.WriteLine($"WER on tight segments: {without:0.00} without context, {with:0.00} with 0.25 s");
        Assert.True(with < 0.6, $"WER {with:0.00} with context");
        Assert.True(with < without, "context should help");
    }

    [Theory]
    [InlineData(0, 0.75, 4.1)]      // first segment: 0.25 s before; after, only up to the next segment
    [InlineData(1, 4.0, 4.7)]       // neighbours 0.1 s and 0.2 s away: up to them, not into them
    [InlineData(2, 4.5, 6.0)]       // last: up to the end of the audio
    public void The_window_never_reaches_into_a_neighbour(int index, double start, double end)
    {
        List<SpeechSegment> segments = [new(1.0, 4.0, 1), new(4.1, 4.5, 1), new(4.7, 5.9, 1)];
        Assert.Equal(new DecodeWindow(start, end), DecodeWindow.For(segments, index, 0.25, 6.0));
    }

    [Fact]
    public async Task Digital_silence_gives_no_words()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("zeros.wav");
        using (var writer = new WavWriter(path, 16000)) writer.WriteSilence(16000 * 6);
        using var recognizer = new PocketSphinxRecognizer(PocketSphinxModel.EnglishUs, 1, NullLogger.Instance);
        var spans = await recognizer.RecognizeAsync(new SpeechAudio(path, 16000, 6), [new SpeechSegment(0.5, 3.5, 1), new SpeechSegment(4, 5.5, 1)], TestContext.Current.CancellationToken);
        Assert.Empty(spans);
    }

    [Fact]
    public async Task Cancellation_stops_decoding()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var recognizer = new PocketSphinxRecognizer(PocketSphinxModel.EnglishUs, 1, NullLogger.Instance);
        await recognizer.LoadAsync(TestContext.Current.CancellationToken);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            recognizer.RecognizeAsync(new SpeechAudio(speech.AudioPath, 16000, speech.Duration), speech.Segments, cancelled.Token));
    }

    [Fact]
    public async Task Audio_that_is_not_16_kHz_is_refused_with_how_to_resample()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("44k.wav");
        using (var writer = new WavWriter(path, 44100)) writer.WriteSilence(44100);
        using var recognizer = new PocketSphinxRecognizer(PocketSphinxModel.EnglishUs, 1, NullLogger.Instance);
        var e = await Assert.ThrowsAsync<StageFailedException>(() =>
            recognizer.RecognizeAsync(new SpeechAudio(path, 44100, 1), [new SpeechSegment(0, 1, 1)], TestContext.Current.CancellationToken));
        Assert.Contains("16 kHz", e.Message);
        Assert.Contains("44100 Hz", e.Message);
        Assert.Contains("-ar 16000", e.Message);
    }

    [Fact]
    public void A_missing_library_says_what_to_install()
    {
        var e = Assert.Throws<StageFailedException>(() => PocketSphinxModel.EnglishUs.EnsureInstalled("libpocketsphinx-missing.so.3"));
        Assert.StartsWith("PocketSphinx is not installed: libpocketsphinx-missing.so.3 cannot be loaded", e.Message);
        Assert.Contains("apt-get install pocketsphinx pocketsphinx-en-us", e.Message);
    }

    [Fact]
    public void A_missing_model_says_which_file()
    {
        PocketSphinxModel.EnglishUs.EnsureInstalled();
        var custom = PocketSphinxModel.EnglishUs with { Dictionary = "/nonexistent/de.dict" };
        var e = Assert.Throws<StageFailedException>(() => custom.EnsureInstalled());
        Assert.Contains("/nonexistent/de.dict not found", e.Message);
    }

    [Fact]
    public void A_broken_model_file_fails_with_the_library_s_own_error()
    {
        using var folder = new TempFolder();
        var dict = folder.Write("broken.dict", "");
        var lm = folder.Write("broken.lm", "this is not a language model\n");
        var e = Assert.Throws<StageFailedException>(() =>
            PocketSphinxDecoder.Load(PocketSphinxModel.EnglishUs with { LanguageModel = lm, Dictionary = dict }, folder.Combine("load.log")));
        output.WriteLine(e.Message);
        Assert.StartsWith("PocketSphinx could not load its model", e.Message);
        Assert.Contains("ERROR", e.Message);
    }

    [Theory]
    [InlineData("<s>", null)]
    [InlineData("</s>", null)]
    [InlineData("<sil>", null)]
    [InlineData("[NOISE]", null)]
    [InlineData("[SPEECH]", null)]
    [InlineData("++GARBAGE++", null)]
    [InlineData("", null)]
    [InlineData("read(2)", "read")]
    [InlineData("you'll", "you'll")]
    [InlineData("hello", "hello")]
    public void Fillers_are_dropped_and_variants_merged(string entry, string? word) =>
        Assert.Equal(word, PocketSphinxWords.Normalise(entry));
}
