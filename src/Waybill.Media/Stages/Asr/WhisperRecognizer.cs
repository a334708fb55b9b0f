using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Waybill.Core.Stages;
using Waybill.Media.Audio;
using Waybill.Media.Model;
using Whisper.net;

namespace Waybill.Media.Stages.Asr;

/// <summary>How the Whisper backend decodes: the model, the language (<c>auto</c>: detected once), translate or not, the prompt.</summary>
public sealed record WhisperSettings(WhisperModelPath Model, GgmlModelFile File, string Language, bool Translate, string? Prompt, int Workers,
    double ContextSeconds);

/// <summary>
/// Decodes VAD segments with whisper.cpp through Whisper.net, in-process. The model is loaded once; each worker has a
/// processor (whisper.cpp state) of its own and takes the next segment, decoded with the same context padding as
/// PocketSphinx (<see cref="DecodeWindow"/>). Workers run one thread each while there are segments for all: on this
/// 2-core machine two one-thread processors ran a 4-s clip in 0.1–0.5 s where one two-thread processor took 2–19 s,
/// its OpenMP threads spinning while the cores were shared. Token timestamps give each word its time.
/// </summary>
public sealed class WhisperRecognizer(WhisperSettings settings, ILogger logger) : ISpeechRecognizer
{
    // whisper.cpp decodes 30-s windows; detection looks at up to that much speech.
    private const int DetectionSamples = 30 * SampleRate;
    private const int SampleRate = 16_000;

    private WhisperFactory? _factory;
    private readonly BusyClock _busy = new();

    public string Backend => "whisper";
    public string Model => settings.Model.Path;
    public double ModelLoadSeconds { get; private set; }
    public int Workers { get; private set; }
    public int ThreadsPerWorker { get; private set; } = 1;
    /// <summary>Wall time whisper.cpp worked (loading, detecting, decoding), workers side by side counted once.</summary>
    public TimeSpan WhisperBusy => _busy.Busy;

    /// <summary>Counts whisper.cpp work done before this recognizer existed (loading its libraries) as busy time.</summary>
    public void AddWhisperTime(TimeSpan time) => _busy.Add(time);
    public string? DetectedLanguage { get; private set; }
    public double? DetectedProbability { get; private set; }

    /// <summary>The language the words are in: English when translating, else the one given or detected.</summary>
    public string OutputLanguage => settings.Translate ? "en" : DetectedLanguage ?? settings.Language;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_factory is not null) return;
        var clock = Stopwatch.StartNew();
        using (Whisper.net.Logger.LogProvider.AddLogger(Log))
        using (_busy.Enter())
        {
            try
            {
                _factory = await Task.Run(() => WhisperFactory.FromPath(settings.Model.Path), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new StageFailedException($"whisper.cpp could not load the Whisper model {settings.Model.Path}: {e.Message}", e);
            }
        }
        ModelLoadSeconds = clock.Elapsed.TotalSeconds;
        logger.LogInformation("loaded Whisper model {Name} ({Quantisation}, {Family}, {Megabytes:0.0} MB) in {Seconds:0.00} s",
            settings.Model.Name, settings.File.Quantisation, settings.File.Family, settings.File.SizeBytes / 1e6, ModelLoadSeconds);
    }

    public async Task<IReadOnlyList<RecognizedSpan>> RecognizeAsync(SpeechAudio audio, IReadOnlyList<SpeechSegment> segments, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (segments.Count == 0) return [];
        Workers = Math.Clamp(Math.Min(settings.Workers, segments.Count), 1, 64);
        ThreadsPerWorker = Math.Max(1, settings.Workers / Workers);
        var language = settings.Language;
        if (language.Equals("auto", StringComparison.OrdinalIgnoreCase)) language = Detect(audio, segments);

        var results = new RecognizedSpan?[segments.Count];
        var progress = new SegmentProgress(logger, segments.Count);
        var next = -1;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            try
            {
                await using var processor = Build(language, ThreadsPerWorker);
                using var reader = new WavReader(audio.Path);
                int index;
                while ((index = Interlocked.Increment(ref next)) < segments.Count)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    results[index] = await DecodeAsync(processor, reader, index, segments, audio.Duration, stop.Token);
                    progress.Done();
                }
            }
            catch
            {
                await stop.CancelAsync();
                throw;
            }
        }, CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested
            && workers.Select(w => w.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException) is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        return [.. results.Where(r => r is not null).Select(r => r!)];
    }

    /// <summary>Detects the spoken language once, on up to 30 s of the speech segments, and decodes every segment in it.</summary>
    private string Detect(SpeechAudio audio, IReadOnlyList<SpeechSegment> segments)
    {
        var speech = new List<float>();
        using (var reader = new WavReader(audio.Path))
        {
            foreach (var segment in segments.OrderByDescending(s => s.Duration))
            {
                if (speech.Count >= DetectionSamples) break;
                var start = (long)Math.Round(segment.Start * reader.SampleRate);
                var count = Math.Min((long)Math.Round(segment.Duration * reader.SampleRate), DetectionSamples - speech.Count);
                speech.AddRange(reader.ReadRange(start, count));
            }
        }
        using var detector = Build("auto", settings.Workers);
        var samples = speech.ToArray();
        string? language;
        float probability;
        using (_busy.Enter()) (language, probability) = detector.DetectLanguageWithProbability(samples);
        if (string.IsNullOrEmpty(language))
            throw new StageFailedException($"whisper.cpp could not detect the language with model {settings.Model.Path}; set config 'language'");
        DetectedLanguage = language;
        DetectedProbability = Math.Round(probability, 4);
        logger.LogInformation("detected language {Language} (p = {Probability:0.00}) on {Seconds:0.0} s of speech",
            language, probability, speech.Count / (double)SampleRate);
        return language;
    }

    private WhisperProcessor Build(string language, int threads)
    {
        var builder = _factory!.CreateBuilder().WithLanguage(language).WithThreads(threads).WithTokenTimestamps();
        if (settings.Translate) builder = builder.WithTranslate();
        if (!string.IsNullOrWhiteSpace(settings.Prompt)) builder = builder.WithPrompt(settings.Prompt);
        using (_busy.Enter()) return builder.Build();
    }

    private async Task<RecognizedSpan?> DecodeAsync(WhisperProcessor processor, WavReader reader, int index, IReadOnlyList<SpeechSegment> segments,
        double duration, CancellationToken cancellationToken)
    {
        var segment = segments[index];
        var window = DecodeWindow.For(segments, index, settings.ContextSeconds, duration);
        var start = (long)Math.Round(window.Start * reader.SampleRate);
        var samples = reader.ReadRange(start, (long)Math.Round(window.End * reader.SampleRate) - start);
        var texts = new List<string>();
        var words = new List<Word>();
        var found = new List<SegmentData>();
        using (_busy.Enter())
        {
            await foreach (var segmentData in processor.ProcessAsync(samples, cancellationToken)) found.Add(segmentData);
        }
        foreach (var piece in found)
        {
            var text = piece.Text.Trim();
            if (text.Length == 0) continue;
            texts.Add(text);
            var fromTokens = WhisperWords.From(piece, settings.File.EndOfText);
            words.AddRange(fromTokens.Count > 0 ? fromTokens : WordEstimator.Spread(text, piece.Start.TotalSeconds, piece.End.TotalSeconds, piece.Probability));
        }
        var placed = new DecodeWindow(start / (double)reader.SampleRate, window.End).Place(words, segment);
        var joined = string.Join(' ', texts);
        logger.LogDebug("segment {Index} [{Start:0.00}-{End:0.00}]: {Text}", index, segment.Start, segment.End, joined);
        return placed.Count == 0 ? null : new RecognizedSpan(index, segment.Start, segment.End, joined, placed);
    }

    /// <summary>whisper.cpp's log (model hparams, buffer sizes) goes to stage.log at DEBUG, its errors at WARNING.</summary>
    private void Log(Whisper.net.Logger.WhisperLogLevel level, string? message)
    {
        if (string.IsNullOrWhiteSpace(message)) return;
        var text = message.TrimEnd();
        if (level == Whisper.net.Logger.WhisperLogLevel.Error) logger.LogWarning("whisper.cpp: {Message}", text);
        else logger.LogDebug("whisper.cpp: {Message}", text);
    }

    public void Dispose()
    {
        _factory?.Dispose();
        _factory = null;
    }
}
