using Waybill.Media.Models;

namespace Waybill.Media.Stages.Asr;

/// <summary>A Whisper model file and the name it goes by (a known name such as <c>base.en</c>, or the file's name).</summary>
public sealed record WhisperModelPath(string Name, string Path, bool Known);

/// <summary>
/// Finds the Whisper model for config <c>model</c>: a known name is <c>ggml-&lt;name&gt;.bin</c> in the model folder, anything
/// with a slash or ending in <c>.bin</c> is a path. With no name, the auto backend takes the first model present in
/// <see cref="Preference"/> order.
/// </summary>
public static class WhisperModelLocator
{
    /// <summary>The model the auto backend's advice names: small enough for any CPU, far better than PocketSphinx.</summary>
    public const string Suggested = "base.en";

    private static readonly string[] Sizes = ["large-v3-turbo", "large-v3", "medium", "small", "base", "tiny"];

    /// <summary>
    /// Names in the order auto picks them: the largest model present wins (it is the one a user fetched on purpose);
    /// for English the <c>.en</c> model of a size comes before the multilingual one, and for any other language (or
    /// <c>auto</c>) English-only models are left out. A quantised variant follows its full-precision model.
    /// </summary>
    public static IReadOnlyList<string> Preference(string language)
    {
        var english = IsEnglish(language);
        var known = ModelRegistry.All.Where(m => m.Kind == ModelKind.Whisper).Select(m => m.Name).ToList();
        var order = new List<string>();
        foreach (var size in Sizes)
        {
            if (english) order.AddRange(Family(known, size + ".en"));
            order.AddRange(Family(known, size));
        }
        return order;
    }

    /// <summary>The model named or pointed to by <paramref name="configured"/>; a name that is not known is refused with the known ones.</summary>
    public static WhisperModelPath Resolve(string configured, string modelFolder, string baseDirectory)
    {
        var value = configured.Trim();
        if (LooksLikePath(value))
        {
            var path = Path.GetFullPath(ModelFolder.ExpandHome(value), baseDirectory);
            return new WhisperModelPath(Path.GetFileName(path), path, Known: false);
        }
        var name = value.StartsWith("whisper:", StringComparison.Ordinal) ? value["whisper:".Length..] : value;
        if (ModelRegistry.FindWhisper(name) is null)
        {
            var names = string.Join(", ", ModelRegistry.All.Where(m => m.Kind == ModelKind.Whisper).Select(m => m.Name));
            throw new ArgumentException($"config 'model' is '{value}', which is not a Whisper model Waybill knows. Known: {names}; " +
                "or give the path of a ggml model file (e.g. ./models/ggml-custom.bin)");
        }
        return new WhisperModelPath(name, Path.Combine(modelFolder, ModelRegistry.WhisperFileName(name)), Known: true);
    }

    /// <summary>What a missing model file's error says: the file, and how to get it.</summary>
    public static string Missing(WhisperModelPath model) => model.Known
        ? $"Whisper model '{model.Name}' is not in the model folder: {model.Path} does not exist. Get it with: waybill models fetch whisper:{model.Name} " +
          $"(the folder is {ModelFolder.EnvironmentVariable} or ~/.cache/waybill/models)"
        : $"Whisper model file {model.Path} does not exist. Give the path of a ggml model file, or a known name such as {Suggested} " +
          $"(get it with: waybill models fetch whisper:{Suggested})";

    public static bool IsEnglish(string language) =>
        language.Equals("en", StringComparison.OrdinalIgnoreCase) || language.StartsWith("en-", StringComparison.OrdinalIgnoreCase)
        || language.StartsWith("en_", StringComparison.OrdinalIgnoreCase);

    private static bool LooksLikePath(string value) =>
        value.Contains('/', StringComparison.Ordinal) || value.Contains('\\', StringComparison.Ordinal) || value.StartsWith('~')
        || value.EndsWith(".bin", StringComparison.OrdinalIgnoreCase);

    /// <summary>The model of this exact name and its quantised variants (<c>base.en-q5_1</c>), in registry order.</summary>
    private static IEnumerable<string> Family(List<string> known, string stem) =>
        known.Where(n => n == stem).Concat(known.Where(n => n.StartsWith(stem + "-q", StringComparison.Ordinal)));
}
