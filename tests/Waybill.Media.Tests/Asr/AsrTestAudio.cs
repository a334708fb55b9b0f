using Waybill.Media.Audio;
using Waybill.Media.Model;
using Xunit;

namespace Waybill.Media.Tests.Asr;

/// <summary>Real speech: espeak-ng speaks each sentence, ffmpeg makes it 16 kHz mono, and the clips are laid out with known silences.</summary>
public static class AsrTestAudio
{
    public const int Rate = 16000;

    /// <summary>Sentences PocketSphinx recognises fairly well in espeak-ng's en-us voice at 130 words a minute (about three words in four).</summary>
    public static readonly string[] Sentences =
    [
        "she was looking for her keys in the kitchen",
        "good morning everyone and welcome to the show",
        "i would like to go to the store",
        "can you help me with this problem",
        "the children are playing in the garden",
        "it is a beautiful day in the city",
        "where did you put the money",
    ];

    /// <summary>Speaks <paramref name="text"/> into a 16 kHz mono 16-bit WAV and returns its samples.</summary>
    public static float[] Speak(string folder, string text, int wordsPerMinute = 130)
    {
        var name = "speech-" + Guid.NewGuid().ToString("N")[..8];
        var raw = Path.Combine(folder, name + "-22k.wav");
        var wav = Path.Combine(folder, name + ".wav");
        Waybill.Tests.Support.Espeak.Write(raw, text, "en-us", wordsPerMinute);
        Run("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", raw, "-ar", "16000", "-ac", "1", "-c:a", "pcm_s16le", wav);
        using var reader = new WavReader(wav);
        Assert.Equal(Rate, reader.SampleRate);
        return reader.ReadRange(0, reader.FrameCount);
    }

    /// <summary>
    /// Writes the sentences with <paramref name="gap"/> seconds of silence before each (and after the last), and
    /// returns the VAD segments: exactly where each spoken clip lies.
    /// </summary>
    public static List<SpeechSegment> Compose(string path, IReadOnlyList<float[]> clips, double gap = 0.8, int rate = Rate)
    {
        var segments = new List<SpeechSegment>();
        var silence = (long)(gap * rate);
        long at = 0;
        using var writer = new WavWriter(path, rate);
        foreach (var clip in clips)
        {
            writer.WriteSilence(silence);
            at += silence;
            writer.Write(clip);
            segments.Add(new SpeechSegment(Math.Round(at / (double)rate, 3), Math.Round((at + clip.Length) / (double)rate, 3), 0.9));
            at += clip.Length;
        }
        writer.WriteSilence(silence);
        return segments;
    }

    public static void Run(string program, params string[] arguments) => Waybill.Tests.Support.HelperProgram.Run(program, arguments);
}

/// <summary>
/// The sentences spoken once per test class: <c>speech.wav</c> with 0.8 s of silence around each and the
/// segments where they lie.
/// </summary>
public sealed class SpokenSentences : IDisposable
{
    private readonly Waybill.Tests.Support.TempFolder _folder = new();

    public SpokenSentences()
    {
        Clips = [.. AsrTestAudio.Sentences.Select(s => AsrTestAudio.Speak(_folder.Path, s))];
        AudioPath = _folder.Combine("speech.wav");
        Segments = AsrTestAudio.Compose(AudioPath, Clips);
    }

    public IReadOnlyList<float[]> Clips { get; }
    public string AudioPath { get; }
    public List<SpeechSegment> Segments { get; }
    public double Duration => Segments[^1].End + 0.8;

    public void Dispose() => _folder.Dispose();
}
