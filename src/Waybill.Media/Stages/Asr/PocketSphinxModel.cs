using System.Runtime.InteropServices;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.Asr;

/// <summary>The three files of a PocketSphinx model: acoustic model folder, language model and pronouncing dictionary.</summary>
public sealed record PocketSphinxModel(string AcousticModel, string LanguageModel, string Dictionary)
{
    public const string DefaultFolder = "/usr/share/pocketsphinx/model/en-us";
    public const string InstallHint = "apt-get install pocketsphinx pocketsphinx-en-us";

    /// <summary>Debian's pocketsphinx-en-us.</summary>
    public static PocketSphinxModel EnglishUs { get; } = new(
        Path.Combine(DefaultFolder, "en-us"), Path.Combine(DefaultFolder, "en-us.lm.bin"), Path.Combine(DefaultFolder, "cmudict-en-us.dict"));

    public bool IsDefault => this == EnglishUs;

    public override string ToString() => $"hmm {AcousticModel}, lm {LanguageModel}, dict {Dictionary}";

    /// <summary>Fails when the library cannot be loaded or a model file is missing, saying which.</summary>
    public void EnsureInstalled(string library = PocketSphinxNative.Library)
    {
        foreach (var name in new[] { library, PocketSphinxNative.BaseLibrary })
        {
            if (!NativeLibrary.TryLoad(name, out var handle))
                throw new StageFailedException($"PocketSphinx is not installed: {name} cannot be loaded. Install it with: {InstallHint}");
            NativeLibrary.Free(handle);
        }
        // The decoder reports a missing file only in its own log, or aborts the process: check before loading.
        string[] required =
        [
            Path.Combine(AcousticModel, "mdef"), Path.Combine(AcousticModel, "means"), Path.Combine(AcousticModel, "variances"),
            Path.Combine(AcousticModel, "transition_matrices"), LanguageModel, Dictionary,
        ];
        var missing = required.FirstOrDefault(f => !File.Exists(f));
        if (missing is null) return;
        throw new StageFailedException(IsDefault
            ? $"PocketSphinx is not installed: the en-us model is missing ({missing} not found). Install it with: {InstallHint}"
            : $"the PocketSphinx model is incomplete: {missing} not found (config hmm, lm, dict: {this})");
    }
}
