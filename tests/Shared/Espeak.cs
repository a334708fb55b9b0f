using System.Diagnostics;

namespace Waybill.Tests.Support;

/// <summary>
/// Speaks a text into a WAV file with espeak-ng. espeak-ng sets up PulseAudio even when it only writes a file, which,
/// with no XDG_RUNTIME_DIR, leaves <c>/tmp/pulse-*</c> and <c>~/.config/pulse</c> behind: its runtime folder is made
/// beside the file instead, and removed once espeak-ng has run.
/// </summary>
public static class Espeak
{
    /// <summary>Writes <paramref name="text"/> spoken to <paramref name="wav"/>; espeak-ng's own rate when <paramref name="wordsPerMinute"/> is null.</summary>
    public static void Write(string wav, string text, string voice = "en-us", int? wordsPerMinute = null)
    {
        var runtime = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(wav))!, ".espeak-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(runtime);
        try
        {
            var info = new ProcessStartInfo("espeak-ng") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add("-v");
            info.ArgumentList.Add(voice);
            if (wordsPerMinute is { } rate)
            {
                info.ArgumentList.Add("-s");
                info.ArgumentList.Add(rate.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            info.ArgumentList.Add("-w");
            info.ArgumentList.Add(wav);
            info.ArgumentList.Add(text);
            info.Environment["XDG_RUNTIME_DIR"] = runtime;
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"espeak-ng failed ({process.ExitCode}): {stderr.Result}");
        }
        finally
        {
            Directory.Delete(runtime, recursive: true);
        }
    }
}
