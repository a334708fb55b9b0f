using System.Buffers.Binary;

namespace Waybill.Media.Audio;

/// <summary>
/// Streams 16-bit PCM samples from a WAV file, mixed down to mono floats in [-1, 1]. RIFF chunks are walked,
/// because ffmpeg writes a LIST chunk before <c>data</c> (a 78-byte header, not 44). Never loads the whole file.
/// </summary>
public sealed class WavReader : IDisposable
{
    private readonly FileStream _stream;
    private readonly long _dataEnd;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly short[] _samples = new short[16 * 1024];

    public WavReader(string path)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        try
        {
            (SampleRate, Channels, DataOffset, DataLength) = ReadHeader(_stream, path);
            _dataEnd = DataOffset + DataLength;
            _stream.Position = DataOffset;
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    public string Path { get; }
    public int SampleRate { get; }
    public int Channels { get; }
    public long DataOffset { get; }
    public long DataLength { get; }

    /// <summary>Mono frames in the file.</summary>
    public long FrameCount => DataLength / (2L * Channels);

    public double DurationSeconds => (double)FrameCount / SampleRate;

    /// <summary>Moves to a frame (mono sample index).</summary>
    public void Seek(long frame) => _stream.Position = DataOffset + Math.Clamp(frame, 0, FrameCount) * 2L * Channels;

    /// <summary>Fills <paramref name="destination"/> with the next mono frames; returns how many were read (0 at the end).</summary>
    public int Read(Span<float> destination)
    {
        var read = 0;
        while (read < destination.Length)
        {
            var want = Math.Min(destination.Length - read, _samples.Length);
            var got = ReadPcm16(_samples.AsSpan(0, want));
            for (var i = 0; i < got; i++) destination[read + i] = _samples[i] / 32768f;
            read += got;
            if (got < want) break;
        }
        return read;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with the next mono frames as raw 16-bit samples (channels averaged),
    /// for decoders that take PCM as it is stored; returns how many were read (0 at the end).
    /// </summary>
    public int ReadPcm16(Span<short> destination)
    {
        var frameBytes = 2 * Channels;
        var read = 0;
        while (read < destination.Length)
        {
            var left = _dataEnd - _stream.Position;
            if (left < frameBytes) break;
            var want = (int)Math.Min(Math.Min((destination.Length - read) * (long)frameBytes, _buffer.Length / frameBytes * frameBytes), left / frameBytes * frameBytes);
            var got = ReadFully(_buffer.AsSpan(0, want));
            var frames = got / frameBytes;
            for (var f = 0; f < frames; f++)
            {
                var sum = 0;
                for (var c = 0; c < Channels; c++) sum += BinaryPrimitives.ReadInt16LittleEndian(_buffer.AsSpan(f * frameBytes + c * 2));
                destination[read + f] = (short)(sum / Channels);
            }
            read += frames;
            if (got < want) break;
        }
        return read;
    }

    /// <summary>Reads frames [start, start+count) as mono floats (clamped to the file).</summary>
    public float[] ReadRange(long start, long count)
    {
        Seek(start);
        var result = new float[Math.Max(0, Math.Min(count, FrameCount - Math.Clamp(start, 0, FrameCount)))];
        var got = Read(result);
        return got == result.Length ? result : result[..got];
    }

    private int ReadFully(Span<byte> target)
    {
        var total = 0;
        while (total < target.Length)
        {
            var n = _stream.Read(target[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static (int Rate, int Channels, long Offset, long Length) ReadHeader(FileStream stream, string path)
    {
        Span<byte> head = stackalloc byte[12];
        if (stream.Read(head) < 12 || !head[..4].SequenceEqual("RIFF"u8) || !head[8..12].SequenceEqual("WAVE"u8))
            throw new InvalidDataException($"{path} is not a WAV file (no RIFF/WAVE header)");
        int rate = 0, channels = 0, bits = 0, format = 0;
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[16];
        while (stream.Read(chunk) == 8)
        {
            var id = System.Text.Encoding.ASCII.GetString(chunk[..4]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (id == "fmt ")
            {
                if (stream.Read(fmt) < 16) break;
                format = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
                rate = (int)BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
                stream.Position += size - 16 + (size & 1);
            }
            else if (id == "data")
            {
                if (format is not (1 or 0xFFFE) || bits != 16 || channels < 1)
                    throw new InvalidDataException($"{path}: only 16-bit PCM WAV is read (format {format}, {bits} bits, {channels} channels)");
                // ffmpeg writing to a pipe leaves the size at 0 or 0xFFFFFFFF: then the data runs to the end of the file.
                var available = stream.Length - stream.Position;
                var length = size is 0 or 0xFFFFFFFF || size > available ? available : size;
                return (rate, channels, stream.Position, length - length % (2 * channels));
            }
            else stream.Position += size + (size & 1);
        }
        throw new InvalidDataException($"{path} has no 'data' chunk: the WAV file is truncated or corrupt");
    }

    public void Dispose() => _stream.Dispose();
}
