using System.Diagnostics;
using Waybill.Media.Audio;
using Waybill.Media.Model;

namespace Waybill.Media.Sample;

/// <summary>What to generate: the length (at least one pass of the script) and the video's size.</summary>
public sealed record SampleOptions(double MinimumSeconds = 0, int Width = 320, int Height = 240, int FrameRate = 25, string Voice = "en-us", int WordsPerMinute = 140);

/// <summary>Where the generated files are.</summary>
public sealed record GeneratedSample(string Video, string Audio, string Truth, SampleTruth Facts);

/// <summary>
/// Makes the reference sample deterministically: espeak-ng speaks known sentences with silent gaps, a synthetic
/// melody plays between them, and ffmpeg puts the sound under a test pattern. It also writes the ground truth
/// (speech intervals measured on the samples espeak-ng produced, the melody interval, the script).
/// </summary>
public static class SampleGenerator
{
    private const double LeadSeconds = 1.0;
    private const double GapSeconds = 1.2;
    private const double MelodyNoteSeconds = 0.5;
    /// <summary>Samples above −40 dBFS count as speech when measuring the truth.</summary>
    private const float SpeechLevel = 0.01f;

    public static async Task<GeneratedSample> GenerateAsync(string folder, SampleOptions options, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        var scratch = Path.Combine(folder, ".clips");
        Directory.CreateDirectory(scratch);
        var clips = new List<float[]>();
        var rate = 0;
        for (var i = 0; i < SampleScript.Sentences.Length; i++)
        {
            var clip = Path.Combine(scratch, $"sentence{i}.wav");
            // espeak-ng sets up PulseAudio even when it only writes a file: its runtime folder goes into the scratch folder,
            // deleted below, not /tmp/pulse-* and ~/.config/pulse where no XDG_RUNTIME_DIR is set.
            var speed = options.WordsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await RunAsync("espeak-ng", ["-v", options.Voice, "-s", speed, "-w", clip, SampleScript.Sentences[i]], cancellationToken,
                new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = scratch });
            using var reader = new WavReader(clip);
            rate = reader.SampleRate;
            clips.Add(reader.ReadRange(0, reader.FrameCount));
        }
        Directory.Delete(scratch, recursive: true);

        var audio = Path.Combine(folder, "sample.wav");
        var speech = new List<TruthSpan>();
        var music = new List<TruthSpan>();
        long position = 0;
        using (var writer = new WavWriter(audio, rate))
        {
            void Silence(double seconds)
            {
                var frames = (long)Math.Round(seconds * rate);
                writer.WriteSilence(frames);
                position += frames;
            }
            Silence(LeadSeconds);
            do
            {
                for (var i = 0; i < clips.Count; i++)
                {
                    var (first, last) = SpeechBounds(clips[i]);
                    speech.Add(new TruthSpan(Seconds(position + first, rate), Seconds(position + last + 1, rate), SampleScript.Sentences[i]));
                    writer.Write(clips[i]);
                    position += clips[i].Length;
                    Silence(GapSeconds);
                    // The melody sits in the middle of each pass, between two sentences.
                    if (i == clips.Count / 2 - 1)
                    {
                        var melody = Melody(rate);
                        music.Add(new TruthSpan(Seconds(position, rate), Seconds(position + melody.Length, rate), ""));
                        writer.Write(melody);
                        position += melody.Length;
                        Silence(GapSeconds);
                    }
                }
            }
            while (Seconds(position, rate) < options.MinimumSeconds);
            Silence(LeadSeconds - GapSeconds + 0.5);
        }

        var truth = new SampleTruth { Duration = Seconds(position, rate), SampleRate = rate, Speech = speech, Music = music };
        var truthPath = Path.Combine(folder, "truth.json");
        MediaJson.Write(truthPath, truth);

        var video = Path.Combine(folder, "sample.mp4");
        await RunAsync("ffmpeg", ["-nostdin", "-y", "-v", "error",
            "-f", "lavfi", "-i", $"testsrc2=size={options.Width}x{options.Height}:rate={options.FrameRate}",
            "-i", audio, "-map", "0:v", "-map", "1:a", "-shortest",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-threads", "2",
            "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", video], cancellationToken);
        return new GeneratedSample(video, audio, truthPath, truth);
    }

    private static double Seconds(long frames, int rate) => Math.Round((double)frames / rate, 3);

    private static (int First, int Last) SpeechBounds(float[] clip)
    {
        var first = Array.FindIndex(clip, s => Math.Abs(s) > SpeechLevel);
        var last = Array.FindLastIndex(clip, s => Math.Abs(s) > SpeechLevel);
        return first < 0 ? (0, clip.Length - 1) : (first, last);
    }

    /// <summary>Sung-like notes: steady pitch with a slight vibrato and two harmonics, soft attack and release.</summary>
    private static float[] Melody(int rate)
    {
        var perNote = (int)(MelodyNoteSeconds * rate);
        var result = new float[perNote * SampleScript.MelodyNotes.Length];
        var phase = 0.0;
        for (var n = 0; n < SampleScript.MelodyNotes.Length; n++)
        {
            for (var i = 0; i < perNote; i++)
            {
                var t = (double)i / rate;
                var frequency = SampleScript.MelodyNotes[n] * (1 + 0.008 * Math.Sin(2 * Math.PI * 5.5 * t));
                phase += 2 * Math.PI * frequency / rate;
                var envelope = Math.Min(1, Math.Min(i, perNote - i) / (0.03 * rate));
                var value = Math.Sin(phase) + 0.5 * Math.Sin(2 * phase) + 0.25 * Math.Sin(3 * phase);
                result[n * perNote + i] = (float)(0.25 * envelope * value);
            }
        }
        return result;
    }

    private static async Task RunAsync(string program, string[] arguments, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (environment is not null)
        {
            foreach (var (name, value) in environment) start.Environment[name] = value;
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is needed to generate the sample but could not be started ({e.Message}). {Tools.ExternalTool.InstallHint(program)}", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{program} failed with exit code {process.ExitCode}: {(await stderr).Trim()}");
        }
    }
}
