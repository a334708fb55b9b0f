using System.Text;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// What <c>backend: auto</c> picked: Whisper with the first model present among the candidates, else PocketSphinx.
/// <see cref="Line"/> is recorded as a tool version with <see cref="Command"/>, a shell command that prints the same
/// line for the same folder contents: a later run asks it again, so a model fetched (or removed) since makes the
/// stage run again with the reason "tool asr_backend changed", while a model file changed in place is caught by its
/// checksum as a tracked input.
/// </summary>
public sealed record AsrBackendChoice(string Backend, WhisperModelPath? Model, string Line, string Command)
{
    public const string Tool = "asr_backend";

    /// <summary>
    /// The first candidate whose file exists. <paramref name="candidates"/> are the model the config names (just that one)
    /// or every known model in preference order.
    /// </summary>
    public static AsrBackendChoice Choose(IReadOnlyList<WhisperModelPath> candidates, string modelFolder)
    {
        var found = candidates.FirstOrDefault(c => File.Exists(c.Path));
        var none = NoneLine(candidates, modelFolder);
        return new AsrBackendChoice(found is null ? "pocketsphinx" : "whisper", found, found is null ? none : WhisperLine(found), ProbeCommand(candidates, none));
    }

    private static string WhisperLine(WhisperModelPath model) => $"whisper {model.Path}";

    private static string NoneLine(IReadOnlyList<WhisperModelPath> candidates, string modelFolder) =>
        candidates.Count == 1 && !candidates[0].Known ? $"pocketsphinx (no {candidates[0].Path})" : $"pocketsphinx (no Whisper model in {modelFolder})";

    /// <summary>POSIX sh: the first candidate file that exists, printed as <see cref="WhisperLine"/>, else the fallback line.</summary>
    private static string ProbeCommand(IReadOnlyList<WhisperModelPath> candidates, string none)
    {
        var script = new StringBuilder("for f in");
        foreach (var candidate in candidates) script.Append(' ').Append(Quote(candidate.Path));
        script.Append("; do if [ -f \"$f\" ]; then printf 'whisper %s\\n' \"$f\"; exit 0; fi; done; printf '%s\\n' ").Append(Quote(none));
        return script.ToString();
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
