using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Waybill.Media.Stages.Asr;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Asr;

/// <summary>
/// Decoding speed on about a minute of speech, in process with one and two workers, and with the
/// pocketsphinx_continuous program per segment for comparison. Explicit: run with <c>-explicit only</c>.
/// </summary>
public sealed class PocketSphinxSpeedTests(ITestOutputHelper output)
{
    [Fact(Explicit = true)]
    public async Task Real_time_factor_on_a_minute_of_speech()
    {
        using var folder = new TempFolder();
        var clips = AsrTestAudio.Sentences.Select(s => AsrTestAudio.Speak(folder.Path, s)).ToList();
        var path = folder.Combine("minute.wav");
        var segments = AsrTestAudio.Compose(path, [.. clips, .. clips, .. clips]);
        var speech = segments.Sum(s => s.Duration);
        var audio = new SpeechAudio(path, 16000, segments[^1].End + 0.8);
        output.WriteLine($"{segments.Count} segments, {speech:0.0} s of speech, {Environment.ProcessorCount} CPUs");

        foreach (var workers in new[] { 1, 2 })
        {
            using var recognizer = new PocketSphinxRecognizer(PocketSphinxModel.EnglishUs, workers, NullLogger.Instance);
            await recognizer.LoadAsync(TestContext.Current.CancellationToken);
            var clock = Stopwatch.StartNew();
            var spans = await recognizer.RecognizeAsync(audio, segments, TestContext.Current.CancellationToken);
            var seconds = clock.Elapsed.TotalSeconds;
            output.WriteLine($"C API, {workers} worker(s): model load {recognizer.ModelLoadSeconds:0.00} s, decode {seconds:0.00} s, RTF {seconds / speech:0.000}, {spans.Sum(s => s.Words.Count)} words");
        }

        // The program, once per segment (model loaded every time), as the fallback would run it.
        var total = Stopwatch.StartNew();
        foreach (var (segment, index) in segments.Select((s, i) => (s, i)))
        {
            var clip = folder.Combine($"seg-{index}.wav");
            AsrTestAudio.Compose(clip, [clips[index % clips.Count]], gap: 0);
            AsrTestAudio.Run("pocketsphinx_continuous", "-infile", clip, "-time", "yes", "-remove_silence", "no", "-logfn", "/dev/null");
        }
        output.WriteLine($"pocketsphinx_continuous per segment: {total.Elapsed.TotalSeconds:0.00} s, RTF {total.Elapsed.TotalSeconds / speech:0.000}");
    }
}
