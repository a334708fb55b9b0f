using Waybill.Media.Models;
using Waybill.Media.Stages.Vad;
using Waybill.Tests.Support;

namespace Waybill.Cli.Tests.Subtitles.Whisper;

/// <summary>
/// A model folder of a test's own (WAYBILL_MODEL_DIR): the Silero VAD model linked from the machine's model folder,
/// and Whisper models written by <see cref="TinyWhisperModel"/> only when a test adds them.
/// </summary>
public sealed class WhisperModelFolder
{
    public WhisperModelFolder(TempFolder temp, string name = "models")
    {
        Path = temp.Combine(name);
        var vad = System.IO.Path.Combine(ModelFolder.Resolve(System.Environment.GetEnvironmentVariable(ModelFolder.EnvironmentVariable), System.Environment.CurrentDirectory),
            VadModelLocator.FileName);
        if (!File.Exists(vad))
        {
            // Thrown from the constructor of a test's class or fixture, which is then never disposed: its folder goes now.
            temp.Dispose();
            throw new InvalidOperationException($"the Silero VAD model is not installed at {vad}: run scripts/setup.sh");
        }
        Directory.CreateDirectory(Path);
        File.CreateSymbolicLink(System.IO.Path.Combine(Path, VadModelLocator.FileName), vad);
    }

    public string Path { get; }

    public Dictionary<string, string> Environment => new() { [ModelFolder.EnvironmentVariable] = Path };

    /// <summary>Writes a tiny model as the known model <paramref name="name"/> (<c>ggml-&lt;name&gt;.bin</c>) and returns its path.</summary>
    public string Add(string name, TinyWhisperModel? model = null) =>
        (model ?? new TinyWhisperModel()).WriteTo(System.IO.Path.Combine(Path, ModelRegistry.WhisperFileName(name)));
}
