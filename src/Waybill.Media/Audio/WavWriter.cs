using System.Buffers.Binary;

namespace Waybill.Media.Audio;

/// <summary>Writes mono 16-bit PCM WAV, streaming; the header's sizes are filled in on dispose.</summary>
public sealed class WavWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly int _sampleRate;
    private long _frames;

    public WavWriter(string path, int sampleRate)
    {
        _sampleRate = sampleRate;
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024);
        _stream.Write(new byte[44]);
    }

    public void Write(ReadOnlySpan<float> samples)
    {
        Span<byte> bytes = stackalloc byte[2];
        foreach (var sample in samples)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes, (short)Math.Clamp(MathF.Round(sample * 32767f), -32768, 32767));
            _stream.Write(bytes);
        }
        _frames += samples.Length;
    }

    public void WriteSilence(long frames)
    {
        var zeros = new byte[8192];
        var left = frames * 2;
        while (left > 0)
        {
            var n = (int)Math.Min(left, zeros.Length);
            _stream.Write(zeros, 0, n);
            left -= n;
        }
        _frames += frames;
    }

    public void Dispose()
    {
        var header = new byte[44];
        var data = _frames * 2;
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)(36 + data));
        "WAVEfmt "u8.CopyTo(header.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), (uint)_sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), (uint)(_sampleRate * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(32), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(34), 16);
        "data"u8.CopyTo(header.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), (uint)data);
        _stream.Position = 0;
        _stream.Write(header);
        _stream.Dispose();
    }
}
