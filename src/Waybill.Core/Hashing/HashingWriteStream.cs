namespace Waybill.Core.Hashing;

/// <summary>
/// A write-only stream that hashes every byte on its way to the inner stream, so a stage that writes a file knows
/// its checksum without reading it back.
/// </summary>
public sealed class HashingWriteStream(Stream inner, ChecksumAlgorithm algorithm) : Stream
{
    private readonly ContentHash _hash = new(algorithm);
    private string? _checksum;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException("a hashing stream only appends");
    }

    /// <summary>The checksum of everything written; taken at the latest when the stream is disposed, after which nothing more can be written.</summary>
    public string Checksum => _checksum ??= _hash.Finish();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Append(buffer);
        inner.Write(buffer);
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Append(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("a hashing stream is write-only");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a hashing stream only appends");

    public override void SetLength(long value) => throw new NotSupportedException("a hashing stream only appends");

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_checksum is not null) throw new InvalidOperationException("the checksum was already taken; nothing more can be written");
        _hash.Append(bytes);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _checksum ??= _hash.Finish();
            inner.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _checksum ??= _hash.Finish();
        await inner.DisposeAsync().ConfigureAwait(false);
        _hash.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
