namespace Waybill.Media.Stages.Lyrics;

/// <summary>One analysis frame: loudness, how noise-like the spectrum is, and the pitch with its clarity (0 = no periodicity).</summary>
public readonly record struct FrameFeatures(float EnergyDb, float Flatness, float PitchHz, float Clarity)
{
    public bool Voiced => PitchHz > 0;
}

/// <summary>
/// Computes <see cref="FrameFeatures"/> for 64 ms frames (1024 samples at 16 kHz, hop half a frame). One FFT of the
/// Hann-windowed, zero-padded frame gives the power spectrum (for spectral flatness); its inverse gives the
/// autocorrelation, divided by the window's own autocorrelation (Boersma 1993) so that a periodic signal scores
/// close to 1 at its period whatever the lag. All buffers are allocated once.
/// </summary>
public sealed class FrameAnalyzer
{
    private const double FlatnessLowHz = 100;
    private const double FlatnessHighHz = 4000;
    /// <summary>The first autocorrelation peak within this fraction of the best one is taken: avoids octave-low errors.</summary>
    private const double PeakTolerance = 0.9;

    private readonly Fft _fft;
    private readonly double[] _window;
    private readonly double[] _windowAutocorrelation;
    private readonly double[] _re;
    private readonly double[] _im;
    private readonly int _minLag;
    private readonly int _maxLag;
    private readonly int _lowBin;
    private readonly int _highBin;

    public FrameAnalyzer(int sampleRate, double minPitchHz = 70, double maxPitchHz = 1000, double voicedClarity = 0.6)
    {
        SampleRate = sampleRate;
        FrameSize = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Round(0.064 * sampleRate));
        Hop = FrameSize / 2;
        VoicedClarity = voicedClarity;
        _fft = new Fft(FrameSize * 2);
        _re = new double[_fft.Size];
        _im = new double[_fft.Size];
        _window = new double[FrameSize];
        for (var i = 0; i < FrameSize; i++) _window[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * (i + 0.5) / FrameSize);
        _minLag = Math.Max(2, (int)Math.Floor(sampleRate / maxPitchHz));
        _maxLag = Math.Min(FrameSize / 2, (int)Math.Ceiling(sampleRate / minPitchHz));
        _windowAutocorrelation = new double[_maxLag + 2];
        for (var lag = 0; lag < _windowAutocorrelation.Length; lag++)
        {
            double sum = 0;
            for (var i = 0; i + lag < FrameSize; i++) sum += _window[i] * _window[i + lag];
            _windowAutocorrelation[lag] = sum;
        }
        _lowBin = (int)Math.Ceiling(FlatnessLowHz * _fft.Size / sampleRate);
        _highBin = Math.Min(_fft.Size / 2, (int)Math.Floor(FlatnessHighHz * _fft.Size / sampleRate));
    }

    public int SampleRate { get; }
    public int FrameSize { get; }
    public int Hop { get; }
    public double VoicedClarity { get; }
    public double HopSeconds => (double)Hop / SampleRate;

    public FrameFeatures Analyze(ReadOnlySpan<float> frame)
    {
        if (frame.Length != FrameSize) throw new ArgumentException($"a frame holds {FrameSize} samples, not {frame.Length}", nameof(frame));
        double mean = 0, energy = 0;
        foreach (var s in frame) mean += s;
        mean /= FrameSize;
        for (var i = 0; i < FrameSize; i++)
        {
            var x = frame[i] - mean;
            energy += x * x;
            _re[i] = x * _window[i];
        }
        var energyDb = 10 * Math.Log10(energy / FrameSize + 1e-12);
        Array.Clear(_re, FrameSize, _re.Length - FrameSize);
        Array.Clear(_im);
        _fft.Transform(_re, _im);

        // Power spectrum in place; flatness over the band where voices and melodies live.
        double logSum = 0, linearSum = 0;
        for (var k = 0; k < _re.Length; k++)
        {
            var power = _re[k] * _re[k] + _im[k] * _im[k];
            _re[k] = power;
            _im[k] = 0;
            if (k >= _lowBin && k <= _highBin)
            {
                logSum += Math.Log(power + 1e-10);
                linearSum += power + 1e-10;
            }
        }
        var bins = _highBin - _lowBin + 1;
        var flatness = Math.Exp(logSum / bins) / (linearSum / bins);

        _fft.Transform(_re, _im, inverse: true);
        var (pitch, clarity) = _re[0] > 1e-9 ? FindPitch() : (0.0, 0.0);
        return new FrameFeatures((float)energyDb, (float)flatness, clarity >= VoicedClarity ? (float)pitch : 0f, (float)clarity);
    }

    /// <summary>The period from the normalised autocorrelation now in <c>_re</c>: (pitch in Hz, clarity in [0, 1]).</summary>
    private (double Pitch, double Clarity) FindPitch()
    {
        double Normalised(int lag) => _re[lag] / _re[0] / (_windowAutocorrelation[lag] / _windowAutocorrelation[0]);

        var best = 0.0;
        for (var lag = _minLag; lag <= _maxLag; lag++)
        {
            var n = Normalised(lag);
            if (n > best && n > Normalised(lag - 1) && n >= Normalised(lag + 1)) best = n;
        }
        if (best <= 0) return (0, 0);
        for (var lag = _minLag; lag <= _maxLag; lag++)
        {
            var n = Normalised(lag);
            if (n < PeakTolerance * best || n <= Normalised(lag - 1) || n < Normalised(lag + 1)) continue;
            // Parabolic interpolation between the neighbouring lags for a sub-sample period.
            var left = Normalised(lag - 1);
            var right = Normalised(lag + 1);
            var denominator = left - 2 * n + right;
            var shift = denominator < 0 ? Math.Clamp(0.5 * (left - right) / denominator, -0.5, 0.5) : 0;
            return (SampleRate / (lag + shift), Math.Min(1, n));
        }
        return (0, 0);
    }
}
