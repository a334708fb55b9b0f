using System.Buffers;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Waybill.Core.IO;

namespace Waybill.Core.Execution.Protocol;

/// <summary>What a <see cref="ChannelReader"/> finds: whole lines, and lines it could not deliver.</summary>
internal interface IChannelSink
{
    /// <summary>One line without its <c>\n</c>; the memory is valid only during the call.</summary>
    void Line(long number, ReadOnlyMemory<byte> line);

    /// <summary>A line that is not delivered (too long, cut off), or the channel itself when <paramref name="number"/> is 0.</summary>
    void Bad(long number, string problem);
}

/// <summary>
/// Reads a stage's channel file from where it left off: whole lines go to the sink as they complete; a line longer than
/// <see cref="MaxLineBytes"/> is counted and dropped, so memory stays bounded whatever a stage writes. Nothing is read
/// until the file exists; the file is never followed through a link and never opened when it is not a regular file
/// (a FIFO would block the engine).
/// </summary>
internal sealed partial class ChannelReader(string path) : IDisposable
{
    /// <summary>The longest line read: 1 MiB, as for output lines.</summary>
    public const int MaxLineBytes = 1 << 20;

    private const int ChunkBytes = 64 * 1024;

    private SafeFileHandle? _file;
    private long _offset;
    private byte[]? _buffer;
    private int _used;
    private long _skipping = -1;
    private long _lines;
    private bool _refused;

    /// <summary>True once the channel file was found and opened.</summary>
    public bool IsOpen => _file is not null;

    /// <summary>Delivers every line completed since the last call.</summary>
    public void Read(IChannelSink sink)
    {
        if (_refused || (_file is null && !TryOpen(sink))) return;
        _buffer ??= ArrayPool<byte>.Shared.Rent(ChunkBytes);
        while (true)
        {
            if (_used == _buffer.Length) Grow();
            int read;
            try
            {
                read = RandomAccess.Read(_file!, _buffer.AsSpan(_used), _offset);
            }
            catch (IOException e)
            {
                Refuse(sink, $"could not be read further ({e.Message})");
                return;
            }
            if (read == 0) return;
            _offset += read;
            Scan(read, sink);
        }
    }

    /// <summary>Reads the rest; a last line without its <c>\n</c> is reported as cut off.</summary>
    public void Finish(IChannelSink sink)
    {
        Read(sink);
        if (_skipping >= 0)
        {
            sink.Bad(++_lines, string.Create(CultureInfo.InvariantCulture,
                $"longer than {MaxLineBytes} bytes ({_skipping} bytes) and cut off without a newline (the stage was killed mid-write?): dropped"));
            _skipping = -1;
        }
        else if (_used > 0)
        {
            sink.Bad(++_lines, $"cut off (the stage was killed mid-write?): no newline after {Excerpt(_buffer.AsSpan(0, _used))}");
        }
        _used = 0;
    }

    /// <summary>Whether a look found something at the path (the file, or what was refused in its place).</summary>
    public bool Found { get; private set; }

    /// <summary>How many lines were read (the number of the last).</summary>
    public long Lines => _lines;

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }

    private bool TryOpen(IChannelSink sink)
    {
        EntryKind kind;
        try
        {
            kind = PathEntry.KindOf(path);
        }
        catch (IOException e)
        {
            Found = true;
            Refuse(sink, $"cannot be looked at ({e.Message})");
            return false;
        }
        if (kind == EntryKind.Missing) return false;
        Found = true;
        if (kind != EntryKind.File)
        {
            var what = kind switch { EntryKind.SymbolicLink => "a symbolic link", EntryKind.Directory => "a directory", _ => "not a regular file" };
            Refuse(sink, $"is {what}, not the file the engine reads: not read (writers open it with O_APPEND|O_CREAT)");
            return false;
        }
        // The stage may swap the file for a link or a FIFO after the look above: O_NOFOLLOW refuses the link, and
        // O_NONBLOCK keeps the open of a FIFO from waiting for a writer while the output threads wait on this reader.
        var fd = Open(path, ORdonly | ONonblock | ONofollow | OCloexec, 0);
        if (fd >= 0)
        {
            _file = new SafeFileHandle(fd, ownsHandle: true);
            return true;
        }
        var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (errno == Enoent) return false;
        Refuse(sink, errno == Eloop
            ? "is a symbolic link, not the file the engine reads: not read (writers open it with O_APPEND|O_CREAT)"
            : $"cannot be opened ({System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)})");
        return false;
    }

    private const int ORdonly = 0;
    private const int ONonblock = 0x800;
    private const int ONofollow = 0x20000;
    private const int OCloexec = 0x80000;
    private const int Enoent = 2;
    private const int Eloop = 40;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "open", SetLastError = true,
        StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    private void Refuse(IChannelSink sink, string problem)
    {
        _refused = true;
        sink.Bad(0, problem);
    }

    /// <summary>Splits the bytes just read at <c>\n</c>; an unfinished line stays at the start of the buffer.</summary>
    private void Scan(int read, IChannelSink sink)
    {
        var buffer = _buffer!;
        var start = 0;
        var from = _used;
        var end = _used + read;
        while (from < end)
        {
            var found = buffer.AsSpan(from, end - from).IndexOf((byte)'\n');
            if (found < 0) break;
            var eol = from + found;
            var length = eol - start;
            if (_skipping >= 0 || length > MaxLineBytes)
            {
                sink.Bad(++_lines, string.Create(CultureInfo.InvariantCulture,
                    $"longer than {MaxLineBytes} bytes ({Math.Max(_skipping, 0) + length} bytes): dropped"));
                _skipping = -1;
            }
            else
            {
                sink.Line(++_lines, buffer.AsMemory(start, length));
            }
            from = start = eol + 1;
        }
        var pending = end - start;
        if (_skipping >= 0)
        {
            _skipping += pending;
            _used = 0;
        }
        else if (pending > MaxLineBytes)
        {
            _skipping = pending;
            _used = 0;
        }
        else
        {
            if (start > 0) buffer.AsSpan(start, pending).CopyTo(buffer);
            _used = pending;
        }
    }

    /// <summary>A partial line fills the buffer but is within the limit (else it would be skipped): grow.</summary>
    private void Grow()
    {
        var grown = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer!.Length * 2, MaxLineBytes + ChunkBytes));
        _buffer.AsSpan(0, _used).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }

    /// <summary>The first bytes of a line, printable, for a warning that names it.</summary>
    internal static string Excerpt(ReadOnlySpan<byte> line)
    {
        const int Most = 60;
        var text = System.Text.Encoding.UTF8.GetString(line[..Math.Min(line.Length, Most * 4)]);
        return "'" + Text.PrintableText.Of(text, Most) + "'";
    }
}
