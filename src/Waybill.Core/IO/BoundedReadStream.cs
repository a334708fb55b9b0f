namespace Waybill.Core.IO;

/// <summary>
/// Reads a stream from its position for at most a given number of bytes, then reports its end: a reader over one part
/// of a file (one run's part of events.jsonl) cannot run past it into the next, however its lines are cut.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long length) : Stream
{
    private long _left = length;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_left <= 0) return 0;
        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
        _left -= read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
