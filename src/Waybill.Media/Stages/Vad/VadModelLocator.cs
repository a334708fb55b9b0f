using Waybill.Core.Stages;

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
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(ExpandHome(configured.Trim()), baseDirectory);
        var dir = string.IsNullOrWhiteSpace(modelDir) ? DefaultModelDir : ExpandHome(modelDir);
        return Path.GetFullPath(Path.Combine(dir, FileName), baseDirectory);
    }

    public static string DefaultModelDir =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "waybill", "models");

    /// <summary>Throws a <see cref="StageFailedException"/> that names the file and how to get it when it is missing.</summary>
    public static void RequireExists(string path, bool configured)
    {
        if (File.Exists(path)) return;
        var source = configured ? "config 'model'" : "WAYBILL_MODEL_DIR or ~/.cache/waybill/models";
        throw new StageFailedException(
            $"Silero VAD model not found: {path} (from {source}); run scripts/fetch-models.sh (or scripts/setup.sh) to fetch it, or set config 'model' to its path");
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}
