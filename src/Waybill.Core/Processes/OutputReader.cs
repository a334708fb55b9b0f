using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Waybill.Core.Processes;

/// <summary>
/// Splits one output stream of a child into lines (at <c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>, as StreamReader did)
/// and applies <see cref="OutputLimits"/>: it reads in 64 KiB chunks into a buffer that grows only up to the line limit,
/// cuts longer lines with a note, delivers the head of the stream as it comes and the tail once the stream ends.
/// </summary>
internal sealed class OutputReader(OutputLimits limits, Action<string> onLine)
{
    private const int ChunkBytes = 64 * 1024;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private bool _afterCr;
    // A line past the limit: its first bytes wait in _longHead while the rest is counted and dropped.
    private byte[]? _longHead;
    private int _longHeadLength;
    private long _longDropped;
    private bool _cutting;

    private long _bytes;
    private long _lines;
    private long _headBytes;
    private long _headLines;
    private bool _headFull;
    private long _droppedBytes;
    private long _droppedLines;
    private long _cutLines;
    private long _cutBytes;
    private TailRing? _tail;

    /// <summary>Reads until EOF or until <paramref name="stop"/> is cancelled (then what was read is delivered).</summary>
    /// <remarks>A callback that throws ends the read; the exception reaches the caller.</remarks>
    public async Task<OutputStats> ReadAllAsync(Stream stream, CancellationToken stop)
    {
        Begin();
        try
        {
            while (true)
            {
                MakeRoom();
                int read;
                try
                {
                    read = await stream.ReadAsync(_buffer.AsMemory(_end), stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                if (read == 0) break;
                _bytes += read;
                Scan(read);
            }
        }
        catch
        {
            ReturnBuffers();
            throw;
        }
        return End();
    }

    /// <summary>Starts a read that the caller drives: <see cref="ReadFrom"/> whenever the stream is readable, then <see cref="End"/>.</summary>
    public void Begin() => _buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);

    /// <summary>
    /// Reads once from <paramref name="fd"/>, which poll found readable (so the read does not block), and delivers the lines
    /// completed; false at the end of the stream. A callback that throws ends the read (<see cref="End"/> still follows).
    /// </summary>
    public unsafe bool ReadFrom(int fd)
    {
        MakeRoom();
        nint read;
        fixed (byte* free = &_buffer[_end])
        {
            while ((read = LibC.Read(fd, free, _buffer.Length - _end)) < 0 && Marshal.GetLastPInvokeError() == LibC.Eintr)
            {
            }
        }
        if (read < 0) throw new IOException($"Failed to read a command's output: {Marshal.GetLastPInvokeErrorMessage()}");
        if (read == 0) return false;
        _bytes += read;
        Scan((int)read);
        return true;
    }

    /// <summary>Delivers the last line and the kept tail, gives the buffers back and says what the stream held.</summary>
    public OutputStats End()
    {
        try
        {
            if (_end > _start || _cutting) EndLine(_buffer.AsSpan(_start, _end - _start));
            _start = _end = 0;
            DeliverTail();
            return new OutputStats(_bytes, _lines, _headBytes + (_tail?.KeptBytes ?? 0), _droppedBytes + (_tail?.EvictedBytes ?? 0),
                _droppedLines + (_tail?.EvictedLines ?? 0), _cutLines, _cutBytes);
        }
        finally
        {
            ReturnBuffers();
        }
    }

    private void ReturnBuffers()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        if (_longHead is not null) ArrayPool<byte>.Shared.Return(_longHead);
        _longHead = null;
    }

    private void MakeRoom()
    {
        if (_end < _buffer.Length) return;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
            return;
        }
        // A partial line fills the buffer but is within the limit (else Scan would be cutting it): grow.
        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, ChunkBytes));
        _buffer.AsSpan(0, _end).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }

    private void Scan(int read)
    {
        var from = _end;
        _end += read;
        if (_afterCr)
        {
            _afterCr = false;
            if (_buffer[from] == (byte)'\n') _start = ++from;
        }
        while (from < _end)
        {
            var found = _buffer.AsSpan(from, _end - from).IndexOfAny((byte)'\n', (byte)'\r');
            if (found < 0) break;
            var eol = from + found;
            EndLine(_buffer.AsSpan(_start, eol - _start));
            from = eol + 1;
            if (_buffer[eol] == (byte)'\r')
            {
                if (from == _end) _afterCr = true;
                else if (_buffer[from] == (byte)'\n') from++;
            }
            _start = from;
        }
        var pending = _end - _start;
        if (_cutting)
        {
            _longDropped += pending;
            _start = _end = 0;
        }
        else if (pending > limits.MaxLineBytes)
        {
            // Keep the line's first bytes apart; the buffer is free again for the rest, which is only counted.
            var keep = Utf8Cut(_buffer.AsSpan(_start, pending), limits.MaxLineBytes);
            _longHead ??= ArrayPool<byte>.Shared.Rent(limits.MaxLineBytes);
            _buffer.AsSpan(_start, keep).CopyTo(_longHead);
            _longHeadLength = keep;
            _longDropped = pending - keep;
            _cutting = true;
            _start = _end = 0;
        }
    }

    private void EndLine(ReadOnlySpan<byte> line)
    {
        if (_cutting)
        {
            _cutting = false;
            Deliver(_longHead.AsSpan(0, _longHeadLength), _longDropped + line.Length);
        }
        else if (line.Length > limits.MaxLineBytes)
        {
            var keep = Utf8Cut(line, limits.MaxLineBytes);
            Deliver(line[..keep], line.Length - keep);
        }
        else Deliver(line, 0);
    }

    private void Deliver(ReadOnlySpan<byte> line, long cut)
    {
        _lines++;
        Span<byte> note = stackalloc byte[64];
        var noteLength = 0;
        if (cut > 0)
        {
            _cutLines++;
            _cutBytes += cut;
            noteLength = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $" [line truncated: {cut} bytes dropped]"), note);
        }
        if (!_headFull)
        {
            if (_headBytes + line.Length <= limits.HeadBytes && _headLines < limits.HeadLines)
            {
                _headBytes += line.Length;
                _headLines++;
                onLine(Text(line, note[..noteLength]));
                return;
            }
            _headFull = true;
        }
        if (limits.TailBytes == 0)
        {
            _droppedBytes += line.Length;
            _droppedLines++;
            return;
        }
        _tail ??= new TailRing(limits.TailBytes + 64, limits.TailLines);
        _tail.Add(line, note[..noteLength]);
    }

    private void DeliverTail()
    {
        if (!_headFull) return;
        var droppedBytes = _droppedBytes + (_tail?.EvictedBytes ?? 0);
        var droppedLines = _droppedLines + (_tail?.EvictedLines ?? 0);
        if (droppedLines > 0)
        {
            onLine(string.Create(CultureInfo.InvariantCulture,
                $"[output truncated: {droppedBytes} bytes in {droppedLines} lines dropped here; "
                + $"the first {_headBytes} bytes came before, the last {_tail?.KeptBytes ?? 0} bytes follow]"));
        }
        _tail?.ForEach(_buffer.Length >= limits.MaxLineBytes + 64 ? _buffer : Regrow(limits.MaxLineBytes + 64), span => onLine(Utf8.GetString(span)));
    }

    private byte[] Regrow(int size)
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = ArrayPool<byte>.Shared.Rent(size);
        return _buffer;
    }

    private static string Text(ReadOnlySpan<byte> line, ReadOnlySpan<byte> note) =>
        note.IsEmpty ? Utf8.GetString(line) : string.Concat(Utf8.GetString(line), Encoding.ASCII.GetString(note));

    /// <summary>The longest prefix of at most <paramref name="most"/> bytes that does not split a UTF-8 character.</summary>
    private static int Utf8Cut(ReadOnlySpan<byte> text, int most)
    {
        var cut = most;
        for (var back = 0; back < 3 && cut > 0 && cut < text.Length && (text[cut] & 0xC0) == 0x80; back++) cut--;
        return cut;
    }
}
