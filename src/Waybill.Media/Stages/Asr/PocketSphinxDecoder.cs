using System.Runtime.InteropServices;
using Waybill.Core.Stages;
using Waybill.Media.Audio;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// One PocketSphinx decoder with its model loaded: decodes one utterance at a time, so each worker owns one.
/// Word times come from the decoder's 10 ms frames; silence removal is off so that they are true times.
/// </summary>
public sealed unsafe class PocketSphinxDecoder : IDisposable
{
    public const int SampleRate = 16000;
    private const double FrameSeconds = 0.01;   // -frate 100

    private static readonly Lazy<bool> s_logOff = new(() =>
    {
        // The library logs to stderr by default. Its log is one global FILE*: '-logfn' swaps (and closes) it on every
        // decoder load, which races with decoders logging on other threads. Switching it off once, for the process, is safe.
        PocketSphinxNative.SetLogFile(0);
        return true;
    });

    private static readonly Lock s_diagnosticGate = new();

    private readonly byte*[] _argv;
    private nint _config;
    private nint _decoder;
    private readonly nint _logMath;

    private PocketSphinxDecoder(byte*[] argv, nint config, nint decoder)
    {
        _argv = argv;
        _config = config;
        _decoder = decoder;
        _logMath = PocketSphinxNative.GetLogMath(decoder);
    }

    /// <summary>Loads the model. <paramref name="diagnosticLog"/>: where the library's log goes if loading fails, to quote its errors.</summary>
    public static PocketSphinxDecoder Load(PocketSphinxModel model, string? diagnosticLog = null)
    {
        _ = s_logOff.Value;
        string[] options =
        [
            "-hmm", model.AcousticModel, "-lm", model.LanguageModel, "-dict", model.Dictionary,
            "-remove_silence", "no", "-samprate", "16000", "-frate", "100",
        ];
        if (TryLoad(options, out var decoder)) return decoder;
        var reason = diagnosticLog is null ? null : LoadErrors([.. options, "-logfn", diagnosticLog], diagnosticLog);
        throw new StageFailedException($"PocketSphinx could not load its model ({model})" + (reason is null ? "" : $": {reason}"));
    }

    private static bool TryLoad(string[] options, out PocketSphinxDecoder decoder)
    {
        decoder = null!;
        var argv = new byte*[options.Length];
        for (var i = 0; i < options.Length; i++) argv[i] = (byte*)Marshal.StringToCoTaskMemUTF8(options[i]);
        nint config = 0, ps = 0;
        fixed (byte** args = argv) config = PocketSphinxNative.ConfigParse(0, PocketSphinxNative.Args(), argv.Length, args, 1);
        if (config != 0) ps = PocketSphinxNative.Init(config);
        if (ps != 0)
        {
            decoder = new PocketSphinxDecoder(argv, config, ps);
            return true;
        }
        if (config != 0) _ = PocketSphinxNative.ConfigFree(config);
        FreeArgs(argv);
        return false;
    }

    /// <summary>Loads again with the log on, and returns the errors the library wrote; the log is then off again.</summary>
    private static string? LoadErrors(string[] options, string logPath)
    {
        // One at a time: each load with '-logfn' replaces the process-wide log and closes the one before.
        lock (s_diagnosticGate) return LoadErrorsLocked(options, logPath);
    }

    private static string? LoadErrorsLocked(string[] options, string logPath)
    {
        try
        {
            if (TryLoad(options, out var decoder))
            {
                decoder.Dispose();
                return null;
            }
        }
        finally
        {
            // The log FILE is flushed, not closed: a decoder on another thread may be writing to it.
            var file = PocketSphinxNative.GetLogFile();
            if (file != 0) _ = PocketSphinxNative.FileFlush(file);
            PocketSphinxNative.SetLogFile(0);
        }
        if (!File.Exists(logPath)) return null;
        var errors = File.ReadLines(logPath).Where(l => l.StartsWith("ERROR", StringComparison.Ordinal) || l.StartsWith("FATAL", StringComparison.Ordinal)).TakeLast(3).ToList();
        return errors.Count == 0 ? null : string.Join("; ", errors);
    }

    /// <summary>
    /// Decodes the frames [start, start + count) of <paramref name="reader"/> (16 kHz) as one utterance.
    /// Words are returned with times in seconds from <paramref name="start"/>.
    /// </summary>
    /// <remarks>
    /// The segment is read and passed whole (<c>full_utt</c>), not in blocks: fed in blocks the library switches for
    /// good to live cepstral mean normalisation, whose estimate carries over from one utterance to the next, so a
    /// segment's words would depend on which segments its decoder saw before (and on the number of workers).
    /// Whole, each segment gets its own mean; <c>ps_start_stream</c> likewise resets the noise estimate.
    /// A segment holds 32 KB per second, so only the segment is in memory, never the file.
    /// </remarks>
    public IReadOnlyList<Word> Decode(WavReader reader, long start, long count, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_decoder == 0, this);
        if (reader.SampleRate != SampleRate)
            throw new StageFailedException($"PocketSphinx needs 16 kHz audio; {reader.Path} is {reader.SampleRate} Hz. Resample it: ffmpeg -i in.wav -ar 16000 -ac 1 out.wav");
        cancellationToken.ThrowIfCancellationRequested();
        reader.Seek(start);
        var samples = new short[Math.Max(0, Math.Min(count, reader.FrameCount - Math.Clamp(start, 0, reader.FrameCount)))];
        var got = reader.ReadPcm16(samples);
        Dither(samples.AsSpan(0, got));
        Check(PocketSphinxNative.StartStream(_decoder), "ps_start_stream");
        Check(PocketSphinxNative.StartUtterance(_decoder), "ps_start_utt");
        var ended = false;
        try
        {
            fixed (short* data = samples) Check(PocketSphinxNative.ProcessRaw(_decoder, data, (nuint)got, 0, 1), "ps_process_raw");
            ended = true;
            Check(PocketSphinxNative.EndUtterance(_decoder), "ps_end_utt");
            return Words();
        }
        finally
        {
            // A failed utterance is closed so the decoder stays usable.
            if (!ended) _ = PocketSphinxNative.EndUtterance(_decoder);
        }
    }

    /// <summary>
    /// Adds ±1 of 32768 of noise. On digital silence (all zeros) the features are degenerate and the decoder hears a
    /// word with full confidence; the library's own <c>-dither</c> draws from one process-wide generator, which would make
    /// results depend on thread timing, so each segment gets the same fixed-seed noise instead.
    /// </summary>
    private static void Dither(Span<short> samples)
    {
        var random = new Random(16000);
        for (var i = 0; i < samples.Length; i++)
            samples[i] = (short)Math.Clamp(samples[i] + random.Next(-1, 2), short.MinValue, short.MaxValue);
    }

    private List<Word> Words()
    {
        var words = new List<Word>();
        int score;
        for (var seg = PocketSphinxNative.SegmentIterator(_decoder, &score); seg != 0; seg = PocketSphinxNative.SegmentNext(seg))
        {
            var text = PocketSphinxWords.Normalise(Marshal.PtrToStringUTF8(PocketSphinxNative.SegmentWord(seg)));
            if (text is null) continue;
            int startFrame, endFrame, acoustic, language, backoff;
            PocketSphinxNative.SegmentFrames(seg, &startFrame, &endFrame);
            var posterior = PocketSphinxNative.SegmentProbability(seg, &acoustic, &language, &backoff);
            var confidence = Math.Clamp(PocketSphinxNative.LogMathExp(_logMath, posterior), 0, 1);
            // The end frame is inclusive.
            words.Add(new Word(text, startFrame * FrameSeconds, (endFrame + 1) * FrameSeconds, Math.Round(confidence, 4)));
        }
        return words;
    }

    private static void Check(int result, string call)
    {
        if (result < 0) throw new StageFailedException($"PocketSphinx failed: {call} returned {result}");
    }

    private static void FreeArgs(byte*[] argv)
    {
        foreach (var arg in argv) Marshal.FreeCoTaskMem((nint)arg);
    }

    public void Dispose()
    {
        if (_decoder == 0) return;
        _ = PocketSphinxNative.Free(_decoder);
        _ = PocketSphinxNative.ConfigFree(_config);
        FreeArgs(_argv);
        _decoder = 0;
        _config = 0;
    }
}
