namespace Waybill.Core.Processes;

/// <summary>
/// The last lines of a stream, kept in one byte ring of fixed size with the start of each line beside it: adding a line
/// evicts the oldest ones until it fits, so memory stays at the capacity whatever the stream's length.
/// </summary>
internal sealed class TailRing(long capacityBytes, int capacityLines)
{
    private readonly byte[] _bytes = new byte[capacityBytes];
    private readonly long[] _starts = new long[capacityLines];
    private long _written;
    private int _first;
    private int _count;

    public long EvictedBytes { get; private set; }
    public long EvictedLines { get; private set; }
    public long KeptBytes => _count == 0 ? 0 : _written - _starts[_first];
    public int KeptLines => _count;

    /// <summary>Adds <paramref name="line"/> followed by <paramref name="note"/>; the caller keeps lines shorter than the ring.</summary>
    public void Add(ReadOnlySpan<byte> line, ReadOnlySpan<byte> note)
    {
        var length = line.Length + note.Length;
        while (_count > 0 && (_count == _starts.Length || _written + length - _starts[_first] > _bytes.Length))
        {
            EvictedBytes += LengthOf(0);
            EvictedLines++;
            _first = (_first + 1) % _starts.Length;
            _count--;
        }
        _starts[(_first + _count) % _starts.Length] = _written;
        _count++;
        Put(line);
        Put(note);
    }

    /// <summary>Hands each kept line, oldest first, to <paramref name="onLine"/> as one contiguous span.</summary>
    public void ForEach(byte[] scratch, Action<ReadOnlySpan<byte>> onLine)
    {
        for (var i = 0; i < _count; i++)
        {
            var start = _starts[(_first + i) % _starts.Length];
            var length = (int)LengthOf(i);
            var at = (int)(start % _bytes.Length);
            if (at + length <= _bytes.Length)
            {
                onLine(_bytes.AsSpan(at, length));
                continue;
            }
            var first = _bytes.Length - at;
            _bytes.AsSpan(at, first).CopyTo(scratch);
            _bytes.AsSpan(0, length - first).CopyTo(scratch.AsSpan(first));
            onLine(scratch.AsSpan(0, length));
        }
    }

    private long LengthOf(int index) =>
        (index + 1 < _count ? _starts[(_first + index + 1) % _starts.Length] : _written) - _starts[(_first + index) % _starts.Length];

    private void Put(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            var at = (int)(_written % _bytes.Length);
            var room = Math.Min(data.Length, _bytes.Length - at);
            data[..room].CopyTo(_bytes.AsSpan(at));
            _written += room;
            data = data[room..];
        }
    }
}
