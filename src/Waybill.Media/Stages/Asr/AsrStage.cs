using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Stages;
using Waybill.Media.Audio;
using Waybill.Media.Model;
using Waybill.Media.Models;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// 06_asr: recognises the speech in each VAD segment (the vocals track when source separation made one) and writes
/// <c>segments.json</c> (a <see cref="Transcript"/> with absolute word times) and <c>transcript.json</c> (the text).
/// Backends: <c>auto</c> (default: Whisper when a model is in the model folder, else PocketSphinx), <c>whisper</c> (whisper.cpp
/// in-process), <c>pocketsphinx</c> (in-process), <c>command</c> (WhisperX, whisper.cpp, …), <c>openai</c> (HTTP).
/// </summary>
public sealed class AsrStage : IStage
{
    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var backend = context.GetConfig<string>("backend", "auto")!.Trim().ToLowerInvariant();
        var language = context.GetConfig<string>("language", "en")!.Trim();
        // A stage given threads decodes with as many workers, so what runs matches what the scheduler counted.
        var workers = context.GetConfig<long>("workers", context.Definition.Controls.Threads is null ? 2 : context.Threads);
        if (workers is < 1 or > 64) throw new StageFailedException($"config 'workers' must be between 1 and 64 (it is {workers})");
        context.AddConfig("backend", backend);
        context.AddConfig("language", language);
        context.AddConfig("workers", workers);
        var contextMs = context.GetConfig<long>("context_ms", 250);
        if (contextMs is < 0 or > 5000) throw new StageFailedException($"config 'context_ms' must be between 0 and 5000 (it is {contextMs})");
        context.AddConfig("context_ms", contextMs);
        var task = context.GetConfig<string>("task", "transcribe")!.Trim().ToLowerInvariant();
        if (task is not ("transcribe" or "translate"))
            throw new StageFailedException($"config 'task' is '{task}': use transcribe or translate (to English, Whisper only)");
        context.AddConfig("task", task);
        if (backend == "auto") backend = ChooseBackend(context, language);

        var useVocals = context.Definition.Inputs.Any(i => i.Name == "vocals") && context.HasInput("vocals");
        var audioPath = context.InputPath(useVocals ? "vocals" : "audio");
        context.AddConfig("audio_source", useVocals ? "vocals" : "audio");
        var speech = MediaJson.Read<SpeechSegments>(context.InputPath("speech")).Segments;
        var audio = ReadAudio(audioPath);
        if (task == "translate" && backend != "whisper")
            throw new StageFailedException($"config 'task' is translate, which only backend whisper does (backend is {backend})");

        using var recognizer = CreateRecognizer(context, backend, language, (int)workers, contextMs / 1000.0);
        context.Logger.LogInformation("ASR with {Backend} on {Source} ({Seconds:0.0} s), {Count} speech segments", backend, useVocals ? "vocals" : "audio", audio.Duration, speech.Count);
        IReadOnlyList<RecognizedSpan> spans = [];
        double decodeSeconds = 0;
        if (speech.Count == 0)
            context.Logger.LogInformation("no speech segments to recognise");
        else
        {
            await recognizer.LoadAsync(cancellationToken);
            var clock = Stopwatch.StartNew();
            using (SegmentProgress.ReportTo((done, total) => context.ReportProgress(done, total, "segments")))
                spans = await recognizer.RecognizeAsync(audio, speech, cancellationToken);
            decodeSeconds = clock.Elapsed.TotalSeconds;
            // Whisper's words are in the language it detected, or English when it translated.
            if (recognizer is WhisperRecognizer whisper) language = whisper.OutputLanguage;
        }

        var assembled = TranscriptAssembler.Assemble(spans, speech);
        var transcript = new Transcript { Backend = backend, Language = RecognizedLanguage.Resolve(language, recognizer.DetectedLanguage), Duration = Math.Round(audio.Duration, 3), Segments = assembled.Segments };
        var summary = AsrTranscript.From(transcript, recognizer.Model);
        MediaJson.Write(context.OutputPath("segments"), transcript);
        MediaJson.Write(context.OutputPath("transcript"), summary);
        Record(context, recognizer, speech, transcript, summary, decodeSeconds, assembled.WordsOutsideSpeech, workers);
        await RecordVersionAsync(context, recognizer, cancellationToken);
        if (speech.Count > 0 && transcript.Segments.Count == 0) context.AddWarning($"{backend} recognised no words in {speech.Count} speech segments");
        var speechSeconds = speech.Sum(s => s.Duration);
        context.Logger.LogInformation("recognised {Words} words in {Segments} of {Speech} segments ({Seconds:0.0} s, real-time factor {Factor:0.000})",
            summary.WordCount, transcript.Segments.Count, speech.Count, decodeSeconds, speechSeconds > 0 ? decodeSeconds / speechSeconds : 0);
    }

    /// <summary>
    /// <c>backend: auto</c>: Whisper when a Whisper model is in the model folder (config <c>model</c> names which, else
    /// the first in <see cref="WhisperModelLocator.Preference"/>), otherwise PocketSphinx. The pipeline's tool
    /// <c>whisper_models</c> makes a model fetched later rerun the stage (see <see cref="AsrBackendChoice"/>).
    /// </summary>
    private static string ChooseBackend(StageContext context, string language)
    {
        var folder = ModelFolder.Resolve(context.EnvironmentVariable(ModelFolder.EnvironmentVariable), context.Pipeline.BaseDirectory);
        var configured = context.GetConfig<string>("model", "") ?? "";
        IReadOnlyList<WhisperModelPath> candidates;
        try
        {
            candidates = configured.Trim().Length > 0
                ? [WhisperModelLocator.Resolve(configured, folder, context.Pipeline.BaseDirectory)]
                : [.. WhisperModelLocator.Preference(language).Select(n => WhisperModelLocator.Resolve(n, folder, context.Pipeline.BaseDirectory))];
        }
        catch (ArgumentException e)
        {
            throw new StageFailedException(e.Message, e);
        }
        var choice = AsrBackendChoice.Choose(candidates);
        // config.backend is the backend that ran, as with any other; requested_backend says it was auto's choice.
        context.AddConfig("requested_backend", "auto");
        context.AddConfig("backend", choice.Backend);
        if (choice.Model is { } model)
            context.Logger.LogInformation("ASR backend auto: whisper with model {Name} ({Path})", model.Name, model.Path);
        else
        {
            var suggested = WhisperModelLocator.IsEnglish(language) ? WhisperModelLocator.Suggested : "base";
            context.Logger.LogInformation(
                "ASR backend auto: pocketsphinx, as {Reason}; for far better words get a Whisper model: waybill models fetch whisper:{Model}",
                candidates.Count == 1 ? $"{candidates[0].Path} does not exist" : $"no Whisper model is in {folder}", suggested);
        }
        return choice.Backend;
    }

    private static SpeechAudio ReadAudio(string path)
    {
        try
        {
            using var reader = new WavReader(path);
            return new SpeechAudio(path, reader.SampleRate, reader.DurationSeconds);
        }
        catch (InvalidDataException e)
        {
            throw new StageFailedException(e.Message, e);
        }
    }

    private static ISpeechRecognizer CreateRecognizer(StageContext context, string backend, string language, int workers, double contextSeconds)
    {
        switch (backend)
        {
            case "whisper":
                return WhisperBackend.Create(context, language, workers, contextSeconds);
            case "pocketsphinx":
                var model = PocketSphinxModelFor(context, language);
                context.AddConfig("hmm", model.AcousticModel);
                context.AddConfig("lm", model.LanguageModel);
                context.AddConfig("dict", model.Dictionary);
                return new PocketSphinxRecognizer(model, workers, context.Logger, Path.Combine(context.CacheDir, "pocketsphinx-load.log"), contextSeconds);
            case "command":
                var command = context.GetConfig<string>("command", "") ?? "";
                context.AddConfig("command", command);
                context.AddConfig("model", context.GetConfig<string>("model", ""));
                return new CommandRecognizer(context, command, language, context.GetConfig<string>("model", "") ?? "");
            case "openai":
                var url = context.GetConfig<string>("url", "") ?? "";
                var name = context.GetConfig<string>("model", "") is { Length: > 0 } given ? given.Trim() : "whisper-1";
                context.AddConfig("url", url);
                context.AddConfig("model", name);
                var uploads = Path.Combine(context.CacheDir, "uploads");
                context.TrackIntermediate(uploads, "audio_clips", retained: false, reason: "per-segment upload, deleted");
                return new OpenAiRecognizer(url, name, language, context.EnvironmentVariable("OPENAI_API_KEY"), uploads, workers, context.Logger, contextSeconds: contextSeconds);
            default:
                throw new StageFailedException($"config 'backend' is '{backend}': use auto, whisper, pocketsphinx, command or openai");
        }
    }

    /// <summary>Debian's en-us model unless hmm, lm and dict name another; other languages need one of those or another backend.</summary>
    private static PocketSphinxModel PocketSphinxModelFor(StageContext context, string language)
    {
        var english = PocketSphinxModel.EnglishUs;
        var model = new PocketSphinxModel(
            context.GetConfig<string>("hmm", english.AcousticModel)!,
            context.GetConfig<string>("lm", english.LanguageModel)!,
            context.GetConfig<string>("dict", english.Dictionary)!);
        var isEnglish = language.Equals("en", StringComparison.OrdinalIgnoreCase) || language.StartsWith("en-", StringComparison.OrdinalIgnoreCase) || language.StartsWith("en_", StringComparison.OrdinalIgnoreCase);
        if (!isEnglish && model.IsDefault)
            throw new StageFailedException($"language '{language}': PocketSphinx has only its en-us model installed ({PocketSphinxModel.DefaultFolder}). " +
                "For other languages (or auto) use backend whisper with a multilingual model (waybill models fetch whisper:base), backend: command " +
                "(e.g. WhisperX) or backend: openai, or give a PocketSphinx model for that language with config hmm, lm and dict.");
        return model;
    }

    private static void Record(StageContext context, ISpeechRecognizer recognizer, List<SpeechSegment> speech, Transcript transcript,
        AsrTranscript summary, double decodeSeconds, int outside, long workers)
    {
        var speechSeconds = speech.Sum(s => s.Duration);
        context.SetResource("backend", recognizer.Backend);
        context.SetResource("segments_decoded", speech.Count);
        context.SetResource("segments_with_text", transcript.Segments.Count);
        context.SetResource("words", summary.WordCount);
        context.SetResource("speech_seconds", Math.Round(speechSeconds, 3));
        context.SetResource("decode_seconds", Math.Round(decodeSeconds, 3));
        if (speechSeconds > 0) context.SetResource("real_time_factor", Math.Round(decodeSeconds / speechSeconds, 4));
        var estimated = 0;
        switch (recognizer)
        {
            case WhisperRecognizer whisper:
                WhisperBackend.Record(context, whisper);
                break;
            case PocketSphinxRecognizer ps:
                context.SetResource("model_load_seconds", Math.Round(ps.ModelLoadSeconds, 3));
                context.SetResource("workers", ps.Workers);
                break;
            case OpenAiRecognizer openAi:
                context.SetResource("workers", workers);
                estimated = openAi.EstimatedWords;
                break;
            case CommandRecognizer command:
                context.SetResource("command_output_format", command.Format);
                estimated = command.EstimatedWords;
                break;
        }
        if (estimated > 0)
            context.AddWarning($"{estimated} words came without times from the {recognizer.Backend} backend; their times were estimated from their segment's time and length (confidence 0)");
        if (outside > 0)
            context.Logger.LogInformation("{Count} words lie outside every speech segment; they were given to the nearest segment", outside);

        var metadata = new Dictionary<string, object?>
        {
            ["segment_count"] = transcript.Segments.Count,
            ["word_count"] = summary.WordCount,
            ["backend"] = recognizer.Backend,
            ["language"] = transcript.Language,
        };
        if (outside > 0) metadata["words_outside_speech"] = outside;
        if (recognizer is WhisperRecognizer { DetectedLanguage: { } detected } detector)
        {
            metadata["detected_language"] = detected;
            metadata["language_probability"] = detector.DetectedProbability;
        }
        context.TrackOutput(context.OutputPath("segments"), "transcript_segments", "json", metadata, name: "segments");
        context.TrackOutput(context.OutputPath("transcript"), "transcript", "json", new Dictionary<string, object?> { ["word_count"] = summary.WordCount, ["model"] = summary.Model }, name: "transcript");
    }

    /// <summary>PocketSphinx's package versions; the other backends' tools are the user's, recorded by the pipeline's <c>tools:</c>.</summary>
    private static async Task RecordVersionAsync(StageContext context, ISpeechRecognizer recognizer, CancellationToken cancellationToken)
    {
        if (recognizer is not PocketSphinxRecognizer) return;
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Waybill.Core.Processes.ChildProcess.ResolveOnPath("dpkg-query", context.CommandPath()) is { } dpkg)
        {
            await context.RunProcessAsync(dpkg, ["-W", "-f", "${Package} ${Version}\\n", "libpocketsphinx3", "pocketsphinx-en-us"], cancellationToken, standardOutput: line =>
            {
                var parts = line.Split(' ', 2);
                if (parts.Length == 2 && parts[1].Length > 0) lock (versions) versions[parts[0]] = parts[1];
            });
        }
        context.SetToolVersion("pocketsphinx", versions.TryGetValue("libpocketsphinx3", out var lib) ? $"{lib} ({PocketSphinxNative.Library})" : $"unknown ({PocketSphinxNative.Library})");
        if (versions.TryGetValue("pocketsphinx-en-us", out var model)) context.SetToolVersion("pocketsphinx-en-us", model);
    }
}
