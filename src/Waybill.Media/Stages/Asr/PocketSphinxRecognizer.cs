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
        var progress = new SegmentProgress(logger, segments.Count);
        var next = -1;
        // Decoding blocks in native code for seconds per segment: each decoder gets a thread of its own rather than
        // holding thread-pool threads, which would make the pool inject and spin extra threads meanwhile.
        // The first failure stops the other workers after their current segment.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = _decoders.Select(decoder => Task.Factory.StartNew(() =>
        {
            try
            {
                using var reader = new WavReader(audio.Path);
                int index;
                while ((index = Interlocked.Increment(ref next)) < segments.Count)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    results[index] = Decode(decoder, reader, index, segments, audio.Duration, stop.Token);
                    progress.Done();
                }
            }
            catch
            {
                stop.Cancel();
                throw;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try
        {
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested
            && workers.Select(w => w.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException) is { } failure)
        {
            // A worker stopped because another one failed: report the failure, not the stop.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
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
