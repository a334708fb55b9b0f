using Waybill.Core.Stages;
using Waybill.Media.Models;

namespace Waybill.Media.Stages.Vad;

/// <summary>Where the Silero model file is: the <c>model</c> config, else the shared model cache.</summary>
public static class VadModelLocator
{
    public const string FileName = "silero_vad.onnx";

    /// <summary>
    /// The model's full path. <paramref name="configured"/> (config <c>model</c>) wins; a relative one is read against
    /// <paramref name="baseDirectory"/> (the pipeline file's folder). Otherwise <c>silero_vad.onnx</c> in
    /// <paramref name="modelDir"/> (WAYBILL_MODEL_DIR) or <c>~/.cache/waybill/models</c>.
    /// </summary>
    public static string Resolve(string? configured, string? modelDir, string baseDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(ModelFolder.ExpandHome(configured.Trim()), baseDirectory);
        return Path.Combine(ModelFolder.Resolve(modelDir, baseDirectory), FileName);
    }

    /// <summary>Throws a <see cref="StageFailedException"/> that names the file and how to get it when it is missing.</summary>
    public static void RequireExists(string path, bool configured)
    {
        if (File.Exists(path)) return;
        var source = configured ? "config 'model'" : "WAYBILL_MODEL_DIR or ~/.cache/waybill/models";
        throw new StageFailedException(
            $"Silero VAD model not found: {path} (from {source}); run scripts/fetch-models.sh (or scripts/setup.sh) or 'waybill models fetch vad:silero' to fetch it, or set config 'model' to its path");
    }
}
