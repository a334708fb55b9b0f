namespace Waybill.Media.Stages.Asr;

/// <summary>
/// What <c>backend: auto</c> picked: Whisper with the first model present among the candidates, else PocketSphinx.
/// The choice depends on the model folder's contents, which the shipped pipeline declares as the tool
/// <c>whisper_models</c> (a shell line listing the folder's <c>ggml-*.bin</c>): a model fetched or removed since the
/// last run changes that tool's version, so the stage runs again and chooses again; a declared tool is also part of
/// the result cache's key. A model file changed in place is caught by its checksum as a tracked input.
/// </summary>
public sealed record AsrBackendChoice(string Backend, WhisperModelPath? Model)
{
    /// <summary>The first candidate whose file exists: the model the config names (just that one), or every known model in preference order.</summary>
    public static AsrBackendChoice Choose(IReadOnlyList<WhisperModelPath> candidates)
    {
        var found = candidates.FirstOrDefault(c => File.Exists(c.Path));
        return new AsrBackendChoice(found is null ? "pocketsphinx" : "whisper", found);
    }
}
