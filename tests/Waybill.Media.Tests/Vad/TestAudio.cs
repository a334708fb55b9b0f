using Waybill.Media.Audio;
using Xunit;

namespace Waybill.Media.Tests.Vad;

/// <summary>Real speech from espeak-ng, resampled by sox, and WAV files assembled from it with known gaps.</summary>
public static class TestAudio
{
    public const int Rate = 16000;

    /// <summary>Speaks <paramref name="text"/> into a 16 kHz mono 16-bit WAV file and returns its samples.</summary>
    public static float[] Speak(string folder, string text, string voice = "en-us")
    {
        var name = "speech-" + Guid.NewGuid().ToString("N")[..8];
        var raw = Path.Combine(folder, name + "-22k.wav");
        var wav = Path.Combine(folder, name + ".wav");
        Waybill.Tests.Support.Espeak.Write(raw, text, voice, 150);
        Run("sox", raw, "-r", "16000", "-c", "1", "-b", "16", wav);
        using var reader = new WavReader(wav);
        Assert.Equal(Rate, reader.SampleRate);
        return reader.ReadRange(0, reader.FrameCount);
    }

    /// <summary>First and last sample at or above -40 dBFS: where the spoken sound really starts and ends.</summary>
    public static (int First, int Last) Audible(float[] samples, double dbfs = -40)
    {
        var level = (float)Math.Pow(10, dbfs / 20);
        var first = Array.FindIndex(samples, s => Math.Abs(s) >= level);
        var last = Array.FindLastIndex(samples, s => Math.Abs(s) >= level);
        Assert.True(first >= 0, "the clip has no audible sample");
        return (first, last);
    }

    /// <summary>A sine tone (amplitude 0.5).</summary>
    public static float[] Tone(double seconds, double hz, double amplitude = 0.5)
    {
        var result = new float[(int)(seconds * Rate)];
        for (var i = 0; i < result.Length; i++) result[i] = (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / Rate));
        return result;
    }

    /// <summary>Uniform white noise at the given RMS, from a fixed seed.</summary>
    public static float[] Noise(double seconds, double rms, int seed = 7)
    {
        var random = new Random(seed);
        var amplitude = rms * Math.Sqrt(3);
        var result = new float[(int)(seconds * Rate)];
        for (var i = 0; i < result.Length; i++) result[i] = (float)(amplitude * (2 * random.NextDouble() - 1));
        return result;
    }

    /// <summary>Writes the pieces one after another; a number is that many seconds of silence. Returns where each clip starts (in samples).</summary>
    public static List<long> Compose(string path, params object[] pieces) => Compose(path, Rate, pieces);

    public static List<long> Compose(string path, int rate, params object[] pieces)
    {
        var starts = new List<long>();
        long at = 0;
        using var writer = new WavWriter(path, rate);
        foreach (var piece in pieces)
        {
            switch (piece)
            {
                case float[] clip:
                    starts.Add(at);
                    writer.Write(clip);
                    at += clip.Length;
                    break;
                case double seconds:
                    var frames = (long)Math.Round(seconds * rate);
                    writer.WriteSilence(frames);
                    at += frames;
                    break;
                default:
                    throw new ArgumentException($"a piece is a float[] clip or a double of seconds, not {piece.GetType()}", nameof(pieces));
            }
        }
        return starts;
    }

    public static void Run(string program, params string[] arguments) => Waybill.Tests.Support.HelperProgram.Run(program, arguments);
}
