using System.Text.Json.Nodes;
using Waybill.Core.Stages;
using Waybill.Media.Models;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// 06_asr's settings checked when the pipeline is loaded (<see cref="StageConfigCheck"/>): a known backend, and what
/// that backend needs (openai a URL, command a command line with <c>{audio}</c>), the ranges of workers and context.
/// A backend that needs more checks (a model name) adds them here, keyed by backend.
/// </summary>
public static class AsrConfigCheck
{
    private const string CommandExample = "'whisperx {audio} --output_format json --output_dir {out_dir}'";
    private const string UrlExample = "http://localhost:8080/v1";

    public static IEnumerable<ConfigProblem> Check(JsonObject config)
    {
        var problems = new List<ConfigProblem>();
        ConfigValues.Number(config, "workers", 1, 64, "2", out var badWorkers, whole: true);
        ConfigValues.Number(config, "context_ms", 0, 5000, "250", out var badContext, whole: true);
        problems.AddRange(new[] { badWorkers, badContext }.OfType<ConfigProblem>());

        // Without a backend the stage picks its default, which needs nothing set.
        var backend = ConfigValues.Text(config, "backend")?.ToLowerInvariant();
        if (backend is null) return problems;
        if (!AsrBackends.Known.Contains(backend))
        {
            problems.Add(new ConfigProblem("backend", $"'{backend}' is not a speech recogniser Waybill knows; known: {string.Join(", ", AsrBackends.Known)}",
                "pocketsphinx"));
            return problems;
        }
        switch (backend)
        {
            case "openai":
                var url = ConfigValues.Text(config, "url") ?? "";
                if (url.Length == 0)
                    problems.Add(new ConfigProblem("url", "backend openai needs the base URL of an OpenAI-compatible transcription server", UrlExample));
                else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    problems.Add(new ConfigProblem("url", "backend openai needs an absolute http:// or https:// URL; the value is not one", UrlExample));
                break;
            case "command":
                var command = ConfigValues.Text(config, "command") ?? "";
                if (command.Length == 0)
                    problems.Add(new ConfigProblem("command", "backend command needs the command line of a recogniser that writes whisper-style JSON",
                        CommandExample));
                else if (!command.Contains("{audio}", StringComparison.Ordinal))
                    problems.Add(new ConfigProblem("command", "the command has no {audio} placeholder, so it cannot know which file to read",
                        CommandExample));
                break;
            case "whisper" or "auto":
                CheckWhisper(config, problems);
                break;
            case "pocketsphinx":
                var language = ConfigValues.Text(config, "language") ?? "en";
                var ownModel = ConfigValues.Has(config, "hmm") || ConfigValues.Has(config, "lm") || ConfigValues.Has(config, "dict");
                if (!ownModel && !IsEnglishOrAuto(language))
                    problems.Add(new ConfigProblem("language", $"PocketSphinx has only its en-us model installed, and the language is '{language}'; "
                        + "use backend whisper, command or openai for it, or give a PocketSphinx model for it with hmm, lm and dict", "en"));
                break;
        }
        return problems;
    }

    // The model file itself (present, whole, the right architecture) is checked when the stage runs: it may be fetched
    // between validating and running.
    private static void CheckWhisper(JsonObject config, List<ConfigProblem> problems)
    {
        var task = ConfigValues.Text(config, "task")?.ToLowerInvariant();
        if (task is not (null or "" or "transcribe" or "translate"))
            problems.Add(new ConfigProblem("task", $"'{task}' is not a Whisper task; Whisper can transcribe or translate (to English)", "translate"));
        var model = ConfigValues.Text(config, "model") ?? "";
        if (model.Length == 0) return;
        try
        {
            WhisperModelLocator.Resolve(model, ModelFolder.Default, Environment.CurrentDirectory);
        }
        catch (ArgumentException e)
        {
            // The problem names the field itself.
            const string Field = "config 'model' is ";
            problems.Add(new ConfigProblem("model", e.Message.StartsWith(Field, StringComparison.Ordinal) ? e.Message[Field.Length..] : e.Message, "base.en"));
        }
    }

    private static bool IsEnglishOrAuto(string language) => language.Length == 0 || language.Equals("auto", StringComparison.OrdinalIgnoreCase)
        || language.Equals("en", StringComparison.OrdinalIgnoreCase)
        || language.StartsWith("en-", StringComparison.OrdinalIgnoreCase) || language.StartsWith("en_", StringComparison.OrdinalIgnoreCase);
}
