using System.Text;

namespace Waybill.Media.Tests.Demux;

/// <summary>Real media files for tests, made with ffmpeg from its built-in sources (test pattern, sine, silence).</summary>
internal static class MediaFiles
{
    /// <summary>A video (test pattern, 160x120, 25 fps) with one sine audio stream.</summary>
    public static string Video(string path, double seconds = 3, int sampleRate = 48000, int channels = 2, string? language = "eng", string videoCodec = "libx264", string audioCodec = "aac", int frequency = 440, bool fastStart = false)
    {
        var args = new List<string>
        {
            "-f", "lavfi", "-i", $"testsrc=size=160x120:rate=25:duration={Seconds(seconds)}",
            "-f", "lavfi", "-i", $"sine=frequency={frequency}:sample_rate={sampleRate}:duration={Seconds(seconds)}",
            "-map", "0:v", "-map", "1:a", "-c:v", videoCodec, "-pix_fmt", "yuv420p", "-c:a", audioCodec, "-ac", channels.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (language is not null) args.AddRange(["-metadata:s:a:0", $"language={language}"]);
        if (fastStart) args.AddRange(["-movflags", "+faststart"]);
        args.Add(path);
        Ffmpeg(args);
        return path;
    }

    /// <summary>A Matroska video with two audio streams: German at 440 Hz (default) and English at 880 Hz.</summary>
    public static string TwoLanguages(string path, double seconds = 2)
    {
        Ffmpeg([
            "-f", "lavfi", "-i", $"testsrc=size=160x120:rate=25:duration={Seconds(seconds)}",
            "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={Seconds(seconds)}",
            "-f", "lavfi", "-i", $"sine=frequency=880:sample_rate=44100:duration={Seconds(seconds)}",
            "-map", "0:v", "-map", "1:a", "-map", "2:a", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-metadata:s:a:0", "language=ger", "-metadata:s:a:1", "language=eng",
            "-disposition:a:0", "default", "-disposition:a:1", "0", path,
        ]);
        return path;
    }

    /// <summary>A video without any audio stream.</summary>
    public static string SilentFilm(string path, double seconds = 2)
    {
        Ffmpeg(["-f", "lavfi", "-i", $"testsrc=size=160x120:rate=25:duration={Seconds(seconds)}", "-c:v", "libx264", "-pix_fmt", "yuv420p", path]);
        return path;
    }

    /// <summary>An audio-only file; the format follows the extension (.wav, .mp3, .flac…).</summary>
    public static string Audio(string path, double seconds = 2, int sampleRate = 8000, int channels = 1, int frequency = 440, bool silent = false)
    {
        var layout = channels == 1 ? "mono" : "stereo";
        var source = silent ? $"anullsrc=channel_layout={layout}:sample_rate={sampleRate}" : $"sine=frequency={frequency}:sample_rate={sampleRate}";
        Ffmpeg(["-f", "lavfi", "-i", source, "-t", Seconds(seconds), "-ac", channels.ToString(System.Globalization.CultureInfo.InvariantCulture), path]);
        return path;
    }

    /// <summary>Runs ffmpeg quietly; a failure fails the test with ffmpeg's message.</summary>
    public static void Ffmpeg(IEnumerable<string> arguments) => Run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", .. arguments]);

    /// <summary>Runs a program and returns its stdout; a non-zero exit throws with stderr.</summary>
    public static string Run(string program, IEnumerable<string> arguments) => Waybill.Tests.Support.HelperProgram.Run(program, arguments);

    /// <summary>ffprobe's streams as compact lines: <c>codec_type=audio|codec_name=aac|…</c>.</summary>
    public static string ProbeJson(string path) =>
        Run("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path]);

    /// <summary>Zero crossings per second of a mono WAV: about twice the frequency of a sine.</summary>
    public static double ZeroCrossingsPerSecond(string wav)
    {
        using var reader = new Waybill.Media.Audio.WavReader(wav);
        var samples = reader.ReadRange(0, reader.FrameCount);
        var crossings = 0;
        for (var i = 1; i < samples.Length; i++)
            if (samples[i - 1] < 0 != samples[i] < 0) crossings++;
        return crossings / reader.DurationSeconds;
    }

    public static void WriteText(string path, string text) => File.WriteAllText(path, text, new UTF8Encoding(false));

    private static string Seconds(double value) => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
