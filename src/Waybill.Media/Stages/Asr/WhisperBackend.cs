using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Stages;
using Waybill.Media.Model;
using Waybill.Media.Models;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// <c>backend: whisper</c> in the ASR stage: checks the config (model, language, task) and the model file before any
/// decoding, records the model as an input (so its checksum enters the fingerprint and a different model reruns the
/// stage), and after decoding records load time, workers and the runtime's version and CPU features.
/// </summary>
internal static class WhisperBackend
{
    /// <summary>Glossary terms beyond this many characters are left out of the prompt: whisper.cpp keeps at most 223 prompt tokens.</summary>
    public const int MaxPromptCharacters = 600;

    public static WhisperRecognizer Create(StageContext context, string language, int workers, double contextSeconds)
    {
        var folder = ModelFolder.Resolve(context.EnvironmentVariable(ModelFolder.EnvironmentVariable), context.Pipeline.BaseDirectory);
        var configured = context.GetConfig<string>("model", "") ?? "";
        WhisperModelPath model;
        try
        {
            model = configured.Trim().Length > 0
                ? WhisperModelLocator.Resolve(configured, folder, context.Pipeline.BaseDirectory)
                : FirstPresent(language, folder, context.Pipeline.BaseDirectory);
        }
        catch (ArgumentException e)
        {
            throw new StageFailedException(e.Message, e);
        }
        if (!File.Exists(model.Path)) throw new StageFailedException(WhisperModelLocator.Missing(model));
        GgmlModelFile file;
        try
        {
            var checking = System.Diagnostics.Stopwatch.StartNew();
            file = GgmlModelFile.Read(model.Path);
            context.Logger.LogDebug("checked {Tensors} tensors of {Path} in {Milliseconds:0.0} ms", file.TensorCount, model.Path, checking.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new StageFailedException(e is InvalidDataException ? e.Message : $"cannot read Whisper model {model.Path}: {e.Message}", e);
        }

        var libraryLoad = TimeSpan.Zero;
        try
        {
            var loading = System.Diagnostics.Stopwatch.StartNew();
            var library = WhisperRuntime.EnsureLoaded();
            libraryLoad = loading.Elapsed;
            context.Logger.LogDebug("whisper.cpp loaded from {Path} in {Milliseconds:0.0} ms", library, libraryLoad.TotalMilliseconds);
        }
        catch (InvalidOperationException e)
        {
            throw new StageFailedException(e.Message, e);
        }
        var code = CheckLanguage(language, file);
        var translate = context.GetConfig<string>("task", "transcribe")!.Trim().Equals("translate", StringComparison.OrdinalIgnoreCase);
        if (translate && !file.Multilingual)
            throw new StageFailedException($"config 'task' is translate, but Whisper model {model.Path} is English-only: " +
                "translating needs a multilingual model (e.g. waybill models fetch whisper:base)");
        var prompt = Prompt(context);

        context.AddConfig("model", model.Name);
        context.AddConfig("model_path", model.Path);
        if (prompt.Length > 0) context.AddConfig("prompt", prompt);
        context.TrackInput(model.Path, "asr_model", "ggml", new Dictionary<string, object?>
        {
            ["model"] = model.Name,
            ["sha256"] = Sha256(model.Path, context.Logger),
            ["quantisation"] = file.Quantisation,
            ["ftype"] = file.FileType,
            ["family"] = file.Family,
            ["multilingual"] = file.Multilingual,
            ["n_vocab"] = file.Vocabulary,
            ["n_audio_layer"] = file.AudioLayers,
            ["n_text_layer"] = file.TextLayers,
            ["n_audio_state"] = file.AudioState,
        }, name: "whisper_model");
        var settings = new WhisperSettings(model, file, code, translate, prompt.Length > 0 ? prompt : null, workers, contextSeconds);
        var recognizer = new WhisperRecognizer(settings, context.Logger);
        // Loading whisper.cpp's libraries (dlopen, ggml's backend registration) is whisper.cpp's time, as loading the model is.
        recognizer.AddWhisperTime(libraryLoad);
        return recognizer;
    }

    public static void Record(StageContext context, WhisperRecognizer whisper)
    {
        context.SetResource("model_load_seconds", Math.Round(whisper.ModelLoadSeconds, 3));
        context.SetResource("workers", whisper.Workers);
        context.SetResource("threads_per_worker", whisper.ThreadsPerWorker);
        context.SetResource("whisper_busy_seconds", Math.Round(whisper.WhisperBusy.TotalSeconds, 3));
        var info = WhisperRuntime.SystemInfo();
        context.SetResource("whisper_system_info", info);
        var version = WhisperRuntime.LibraryVersion() ?? "unknown";
        context.SetToolVersion("whisper.cpp", $"{version} (Whisper.net {WhisperRuntime.BindingVersion}; CPU: {string.Join(' ', WhisperRuntime.Features(info))})");
    }

    /// <summary>The model auto picks, for backend whisper without config model; none present is an error that says how to get one.</summary>
    private static WhisperModelPath FirstPresent(string language, string folder, string baseDirectory)
    {
        var candidates = WhisperModelLocator.Preference(language).Select(n => WhisperModelLocator.Resolve(n, folder, baseDirectory)).ToList();
        return candidates.FirstOrDefault(c => File.Exists(c.Path))
            ?? throw new ArgumentException($"backend whisper: no Whisper model in the model folder {folder} and no config 'model'. " +
                $"Get one with: waybill models fetch whisper:{(WhisperModelLocator.IsEnglish(language) ? WhisperModelLocator.Suggested : "base")}, " +
                "or set model to a ggml file's path");
    }

    /// <summary>
    /// The language code whisper.cpp is given: <c>auto</c>, or a code it knows (a region such as <c>en-US</c> is
    /// dropped). Checked before the model loads, so a typo fails in a second rather than after decoding.
    /// </summary>
    private static string CheckLanguage(string language, GgmlModelFile file)
    {
        var code = language.Split('-', '_')[0].Trim().ToLowerInvariant();
        if (code == "auto")
        {
            if (!file.Multilingual)
                throw new StageFailedException($"language auto needs a multilingual Whisper model; {file.Path} is English-only. " +
                    "Set language: en, or use a multilingual model (e.g. base)");
            return code;
        }
        if (!WhisperRuntime.KnowsLanguage(code))
            throw new StageFailedException($"language '{language}' is not one Whisper knows. " +
                $"Use auto (detect it) or one of: {string.Join(", ", WhisperRuntime.Languages)}");
        if (!file.Multilingual && code != "en")
            throw new StageFailedException($"language '{language}': Whisper model {file.Path} is English-only. " +
                "Use a multilingual model (e.g. waybill models fetch whisper:base)");
        return code;
    }

    /// <summary>Config <c>prompt</c>, then the glossary's terms (TMDB names and the user's terms), comma-separated, bounded.</summary>
    private static string Prompt(StageContext context)
    {
        var parts = new List<string>();
        if (context.GetConfig<string>("prompt", "") is { Length: > 0 } given && given.Trim().Length > 0) parts.Add(given.Trim());
        if (context.Definition.Inputs.Any(i => i.Name == "glossary") && context.HasInput("glossary"))
        {
            var terms = MediaJson.Read<Model.Glossary>(context.InputPath("glossary")).Terms.Select(t => t.Term.Trim())
                .Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (terms.Count > 0) parts.Add(string.Join(", ", terms));
        }
        var prompt = string.Join(". ", parts);
        if (prompt.Length <= MaxPromptCharacters) return prompt;
        var cut = prompt.LastIndexOf(", ", MaxPromptCharacters, StringComparison.Ordinal);
        context.Logger.LogInformation("the prompt (config prompt and glossary terms) has {Length} characters; the first {Max} are used",
            prompt.Length, MaxPromptCharacters);
        return prompt[..(cut > 0 ? cut : MaxPromptCharacters)];
    }

    private static string Sha256(string path, ILogger logger)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        logger.LogDebug("SHA-256 of {Path} in {Milliseconds:0.0} ms", path, clock.Elapsed.TotalMilliseconds);
        return hash;
    }
}
