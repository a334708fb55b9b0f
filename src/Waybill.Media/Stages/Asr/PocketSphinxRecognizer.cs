using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Waybill.Media.Audio;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// Decodes VAD segments with PocketSphinx through its C API, <paramref name="workers"/> segments at a time. Each
/// worker owns a decoder (its model loaded once) and its own reader of the WAV file, which it seeks per segment.
/// Each segment is decoded with <paramref name="contextSeconds"/> of audio around it (see <see cref="DecodeWindow"/>).
/// </summary>
public sealed class PocketSphinxRecognizer(PocketSphinxModel model, int workers, ILogger logger, string? diagnosticLog = null, double contextSeconds = 0.25) : ISpeechRecognizer
{
    private readonly List<PocketSphinxDecoder> _decoders = [];

    public string Backend => "pocketsphinx";
    public string Model => model.ToString();
    public double ModelLoadSeconds { get; private set; }
    public int Workers => _decoders.Count;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_decoders.Count > 0) return;
        model.EnsureInstalled();
        var clock = Stopwatch.StartNew();
        // The first decoder alone: a broken model then fails once, with the library's own error, before the others load.
        _decoders.Add(await Task.Run(() => PocketSphinxDecoder.Load(model, diagnosticLog), cancellationToken));
        var loads = Enumerable.Range(1, Math.Max(1, workers) - 1).Select(_ => Task.Run(() => PocketSphinxDecoder.Load(model, diagnosticLog), cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(loads);
        }
        finally
        {
            // Keep every decoder that loaded, also when another failed, so Dispose frees it.
            _decoders.AddRange(loads.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
        }
        ModelLoadSeconds = clock.Elapsed.TotalSeconds;
        logger.LogInformation("loaded {Count} PocketSphinx decoders in {Seconds:0.00} s ({Model})", _decoders.Count, ModelLoadSeconds, Model);
    }

    public async Task<IReadOnlyList<RecognizedSpan>> RecognizeAsync(SpeechAudio audio, IReadOnlyList<SpeechSegment> segments, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        var results = new RecognizedSpan?[segments.Count];
        var idle = new ConcurrentBag<(PocketSphinxDecoder Decoder, WavReader Reader)>();
        var readers = new List<WavReader>();
        try
        {
            foreach (var decoder in _decoders)
            {
                var reader = new WavReader(audio.Path);
                readers.Add(reader);
                idle.Add((decoder, reader));
            }
            var progress = new SegmentProgress(logger, segments.Count);
            var options = new ParallelOptions { MaxDegreeOfParallelism = _decoders.Count, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, segments.Count), options, (index, token) =>
            {
                // Never empty: at most as many bodies run at once as there are workers.
                if (!idle.TryTake(out var worker)) throw new InvalidOperationException("no idle PocketSphinx decoder");
                try
                {
                    results[index] = Decode(worker.Decoder, worker.Reader, index, segments, audio.Duration, token);
                }
                finally
                {
                    idle.Add(worker);
                }
                progress.Done();
                return ValueTask.CompletedTask;
            });
        }
        finally
        {
            foreach (var reader in readers) reader.Dispose();
        }
        return [.. results.Where(r => r is not null).Select(r => r!)];
    }

    private RecognizedSpan? Decode(PocketSphinxDecoder decoder, WavReader reader, int index, IReadOnlyList<SpeechSegment> segments, double duration, CancellationToken cancellationToken)
    {
        var segment = segments[index];
        var window = DecodeWindow.For(segments, index, contextSeconds, duration);
        var start = (long)Math.Round(window.Start * reader.SampleRate);
        var end = (long)Math.Round(window.End * reader.SampleRate);
        var decoded = decoder.Decode(reader, start, end - start, cancellationToken);
        var words = new DecodeWindow(start / (double)reader.SampleRate, window.End).Place(decoded, segment);
        var text = string.Join(' ', words.Select(w => w.Text));
        logger.LogDebug("segment {Index} [{Start:0.00}-{End:0.00}]: {Text}", index, segment.Start, segment.End, text);
        return words.Count == 0 ? null : new RecognizedSpan(index, segment.Start, segment.End, text, words);
    }

    public void Dispose()
    {
        foreach (var decoder in _decoders) decoder.Dispose();
        _decoders.Clear();
    }
}
