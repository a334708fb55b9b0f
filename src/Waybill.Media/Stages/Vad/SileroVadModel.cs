using Microsoft.ML.OnnxRuntime;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.Vad;

/// <summary>
/// The Silero VAD (v5) ONNX model for one audio stream: feed it 512-sample windows of 16 kHz audio in order, it
/// returns the speech probability of each. The recurrent state and the 64-sample context carry over between calls;
/// every tensor is allocated once and reused, so a window costs one model run and no garbage.
/// </summary>
public sealed class SileroVadModel : IDisposable
{
    public const int SampleRate = 16000;
    public const int WindowSamples = 512;

    /// <summary>The model expects the last 64 samples of the previous window in front of each new one; without them it reports no speech at all.</summary>
    public const int ContextSamples = 64;

    private const int StateSize = 2 * 1 * 128;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _input = new float[ContextSamples + WindowSamples];
    private readonly float[] _state = new float[StateSize];
    private readonly float[] _stateOut = new float[StateSize];
    private readonly float[] _probability = new float[1];
    private readonly OrtValue[] _values;
    private readonly OrtIoBinding _binding;
    private readonly string[] _inputNames = ["input", "state", "sr"];
    private readonly string[] _outputNames = ["output", "stateN"];

    public SileroVadModel(string modelPath)
    {
        ModelPath = modelPath;
        using var options = new SessionOptions
        {
            // One window at a time through a small recurrent net: more threads only add synchronisation.
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            _session = new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new StageFailedException($"cannot load the Silero VAD model {modelPath}: {e.Message}. Fetch it again with scripts/fetch-models.sh", e);
        }
        try
        {
            CheckSignature();
            var srShape = _session.InputMetadata["sr"].Dimensions.Length == 0 ? Array.Empty<long>() : [1L];
            // Bound once: a run then passes no names and allocates nothing (Run with name lists marshals them every call).
            _values =
            [
                OrtValue.CreateTensorValueFromMemory(_input, [1, _input.Length]),
                OrtValue.CreateTensorValueFromMemory(_state, [2, 1, 128]),
                OrtValue.CreateTensorValueFromMemory(new long[] { SampleRate }, srShape),
                OrtValue.CreateTensorValueFromMemory(_probability, [1, 1]),
                OrtValue.CreateTensorValueFromMemory(_stateOut, [2, 1, 128]),
            ];
            _binding = _session.CreateIoBinding();
            for (var i = 0; i < _inputNames.Length; i++) _binding.BindInput(_inputNames[i], _values[i]);
            for (var i = 0; i < _outputNames.Length; i++) _binding.BindOutput(_outputNames[i], _values[_inputNames.Length + i]);
        }
        catch
        {
            _session.Dispose();
            _runOptions.Dispose();
            throw;
        }
    }

    public string ModelPath { get; }

    /// <summary>The model's input and output names with their shapes, for the log.</summary>
    public string Describe() =>
        string.Join(", ", _session.InputMetadata.Select(m => $"in {m.Key} {Shape(m.Value)}").Concat(_session.OutputMetadata.Select(m => $"out {m.Key} {Shape(m.Value)}")));

    private static string Shape(NodeMetadata node) => $"{node.ElementDataType}[{string.Join(',', node.Dimensions)}]";

    /// <summary>Only the v5 signature (input, state, sr → output, stateN) is supported; older models (h, c) are refused by name.</summary>
    private void CheckSignature()
    {
        var missing = _inputNames.Where(n => !_session.InputMetadata.ContainsKey(n))
            .Concat(_outputNames.Where(n => !_session.OutputMetadata.ContainsKey(n))).ToList();
        if (missing.Count > 0)
            throw new StageFailedException(
                $"{ModelPath} is not a Silero VAD v5 model: it lacks {string.Join(", ", missing)} (it has {Describe()}). Fetch the supported one with scripts/fetch-models.sh");
    }

    /// <summary>Starts a new stream: zero state and context.</summary>
    public void Reset()
    {
        Array.Clear(_state);
        Array.Clear(_input);
    }

    /// <summary>Speech probability of the next window (at most 512 samples; a shorter last window is padded with zeros).</summary>
    public float Process(ReadOnlySpan<float> window)
    {
        if (window.Length > WindowSamples) throw new ArgumentException($"a window holds at most {WindowSamples} samples, not {window.Length}", nameof(window));
        // The previous window's last 64 samples become this window's context.
        _input.AsSpan(WindowSamples, ContextSamples).CopyTo(_input);
        var fresh = _input.AsSpan(ContextSamples);
        window.CopyTo(fresh);
        fresh[window.Length..].Clear();
        _session.RunWithBinding(_runOptions, _binding);
        _stateOut.CopyTo(_state, 0);
        return _probability[0];
    }

    public void Dispose()
    {
        _binding.Dispose();
        foreach (var value in _values) value.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
