namespace Waybill.Tests.Support;

/// <summary>
/// Speaks a text into a WAV file with espeak-ng. espeak-ng sets up PulseAudio even when it only writes a file, which,
/// with no XDG_RUNTIME_DIR, leaves <c>/tmp/pulse-*</c> and <c>~/.config/pulse</c> behind: its runtime folder is made
/// beside the file instead, and removed once espeak-ng has run.
/// </summary>
public static class Espeak
{
    /// <summary>
    /// Writes <paramref name="text"/> spoken to <paramref name="wav"/>; espeak-ng's own rate when <paramref name="wordsPerMinute"/>
    /// is null.
    /// </summary>
    public static void Write(string wav, string text, string voice = "en-us", int? wordsPerMinute = null)
    {
        var runtime = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(wav))!, ".espeak-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(runtime);
        try
        {
            string[] rate = wordsPerMinute is { } wpm ? ["-s", wpm.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [];
            HelperProgram.Run("espeak-ng", ["-v", voice, .. rate, "-w", wav, text],
                new Dictionary<string, string?> { ["XDG_RUNTIME_DIR"] = runtime });
        }
        finally
        {
            Directory.Delete(runtime, recursive: true);
        }
    }
}
