namespace Waybill.Media.Stages.Lyrics;

/// <summary>An in-place iterative radix-2 complex FFT of one fixed size, with its twiddles and bit reversal precomputed.</summary>
public sealed class Fft
{
    private readonly int[] _reverse;
    private readonly double[] _cos;
    private readonly double[] _sin;

    public Fft(int size)
    {
        if (size < 2 || (size & (size - 1)) != 0) throw new ArgumentException($"the FFT size must be a power of two, not {size}", nameof(size));
        Size = size;
        var bits = System.Numerics.BitOperations.Log2((uint)size);
        _reverse = new int[size];
        for (var i = 0; i < size; i++)
        {
            var r = 0;
            for (var b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            _reverse[i] = r;
        }
        _cos = new double[size / 2];
        _sin = new double[size / 2];
        for (var i = 0; i < size / 2; i++)
        {
            _cos[i] = Math.Cos(2 * Math.PI * i / size);
            _sin[i] = -Math.Sin(2 * Math.PI * i / size);
        }
    }

    public int Size { get; }

    /// <summary>Forward transform (e^-i) of (<paramref name="re"/>, <paramref name="im"/>), in place; <paramref name="inverse"/> uses e^+i and does not scale.</summary>
    public void Transform(Span<double> re, Span<double> im, bool inverse = false)
    {
        if (re.Length != Size || im.Length != Size) throw new ArgumentException($"both parts must hold {Size} values");
        for (var i = 0; i < Size; i++)
        {
            var j = _reverse[i];
            if (j <= i) continue;
            (re[i], re[j]) = (re[j], re[i]);
            (im[i], im[j]) = (im[j], im[i]);
        }
        var sign = inverse ? -1.0 : 1.0;
        for (var length = 2; length <= Size; length <<= 1)
        {
            var half = length / 2;
            var step = Size / length;
            for (var start = 0; start < Size; start += length)
            {
                for (var k = 0; k < half; k++)
                {
                    var wr = _cos[k * step];
                    var wi = sign * _sin[k * step];
                    var a = start + k;
                    var b = a + half;
                    var tr = re[b] * wr - im[b] * wi;
                    var ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }
}
