namespace Waybill.Core.IO;

/// <summary>
/// Reads a stream to its end, as long as that end comes within a bound: past it, the read throws the exception the owner
/// gives (where <see cref="BoundedReadStream"/> reports an end, so that a parser sees a clear error, not a cut file).
/// </summary>
internal sealed class LimitedReadStream(Stream inner, long maxBytes, Func<Exception> over) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // One byte past the bound is enough to know the file is over it (written so that a bound of long.MaxValue cannot overflow).
        var room = maxBytes - _read;
        var read = inner.Read(room < buffer.Length ? buffer[..((int)room + 1)] : buffer);
        _read += read;
        return _read > maxBytes ? throw over() : read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
