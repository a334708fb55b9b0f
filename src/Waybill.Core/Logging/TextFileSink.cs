using System.Buffers;
using System.Text;

namespace Waybill.Core.Logging;

/// <summary>
/// Appends formatted lines to a file through a pooled 64 KiB byte buffer: each line is encoded to UTF-8 once, straight
/// into the buffer, and the buffer goes back to the pool when the file closes, so a stage's log costs no large
/// allocation. Flushed by <see cref="LogFlusher"/>, on warnings and errors, and on dispose.
/// </summary>
public sealed class TextFileSink : ILogSink, IFlushable, IDisposable
{
    private const int BufferSize = 1 << 16;

    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _file;
    private long _offset;
    private readonly bool _withExceptions;
    private readonly Func<Exception, bool>? _onDiskFull;
    private readonly Lock _gate = new();
    private System.IO.Hashing.XxHash128? _hash;
    private byte[]? _buffer;
    private int _used;
    private bool _disposed;

    /// <param name="withExceptions">true for stage logs (full exception text); the pipeline log keeps one line per event.</param>
    /// <param name="onDiskFull">Called when a write meets a full disk; true when space was freed and one retry may succeed.</param>
    public TextFileSink(string path, bool withExceptions, Func<Exception, bool>? onDiskFull = null)
        : this(path, OpenForAppend(path), withExceptions, onDiskFull)
    {
    }

    private TextFileSink(string path, (Microsoft.Win32.SafeHandles.SafeFileHandle File, long Length) opened, bool withExceptions,
        Func<Exception, bool>? onDiskFull)
    {
        Path = path;
        _withExceptions = withExceptions;
        _onDiskFull = onDiskFull;
        (_file, _offset) = opened;
        // A file this sink writes from its first byte can be sealed from what it wrote, without reading it back.
        if (_offset == 0) _hash = new System.IO.Hashing.XxHash128();
        LogFlusher.Register(this);
    }

    public string Path { get; }

    /// <summary>Size, mtime and xxh128 of the whole file as closed, when this sink wrote all of it; null otherwise.</summary>
    public LogFileSeal? Seal { get; private set; }

    /// <summary>
    /// A new file at the first free name <paramref name="pathFor"/> gives (attempt 1, 2, …), created with O_EXCL: two runs
    /// started in the same second never share, or append to, one log.
    /// </summary>
    public static TextFileSink CreateUnique(Func<int, string> pathFor, bool withExceptions, Func<Exception, bool>? onDiskFull = null)
    {
        const FileShare share = FileShare.ReadWrite | FileShare.Delete;
        for (var attempt = 1; ; attempt++)
        {
            var path = pathFor(attempt);
            try
            {
                return new TextFileSink(path, (File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, share), 0), withExceptions, onDiskFull);
            }
            catch (DirectoryNotFoundException)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
                attempt--;
            }
            catch (IOException) when (File.Exists(path) && attempt < 1000)
            {
                // Taken: the next suffix.
            }
        }
    }

    // A new file (the usual case) is created outright, so its length is known without asking; an existing one is
    // appended to. The folder nearly always exists (the stage's own, or logs/): it is created only when missing.
    private static (Microsoft.Win32.SafeHandles.SafeFileHandle File, long Length) OpenForAppend(string path)
    {
        const FileShare share = FileShare.ReadWrite | FileShare.Delete;
        try
        {
            return (File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, share), 0);
        }
        catch (DirectoryNotFoundException)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            return (File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, share), 0);
        }
        catch (IOException) when (File.Exists(path))
        {
            var file = File.OpenHandle(path, FileMode.Append, FileAccess.Write, share);
            return (file, RandomAccess.GetLength(file));
        }
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            if (_disposed) return;
            // One line per event (the message is escaped); a stage log adds the exception text, indented.
            AppendLine(logEvent);
            if (_withExceptions && logEvent.ExceptionText is { } text) AppendText(ExceptionLines(text));
            if (logEvent.Level >= Microsoft.Extensions.Logging.LogLevel.Warning) FlushLocked();
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            if (!_disposed) FlushLocked();
        }
    }

    /// <summary>The event's line, encoded piece by piece: the line's string is never built for the file.</summary>
    private void AppendLine(LogEvent logEvent)
    {
        var most = LogLineFormat.MaxUtf8Bytes(logEvent) + 1;
        if (most > BufferSize)
        {
            AppendText(logEvent.Line);
            return;
        }
        var buffer = Reserve(most);
        _used += LogLineFormat.WriteUtf8(logEvent, buffer.AsSpan(_used));
        buffer[_used++] = (byte)'\n';
    }

    private void AppendText(string text)
    {
        var most = Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        if (most <= BufferSize)
        {
            var buffer = Reserve(most);
            _used += Encoding.UTF8.GetBytes(text, buffer.AsSpan(_used));
            buffer[_used++] = (byte)'\n';
            return;
        }
        // Longer than the whole buffer (a huge exception text): written on its own.
        FlushLocked();
        WriteAtEnd(Encoding.UTF8.GetBytes(text + "\n"));
    }

    /// <summary>
    /// Every line of an exception's text indented by two spaces, control characters escaped: a line after an event
    /// never starts with '[', so an exception message cannot forge an event line.
    /// </summary>
    private static string ExceptionLines(string text) =>
        string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Select(line => "  " + LogText.EscapeControls(line)));

    private byte[] Reserve(int bytes)
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        if (_used + bytes > BufferSize) FlushLocked();
        return _buffer;
    }

    private void FlushLocked()
    {
        if (_used == 0) return;
        var pending = _used;
        _used = 0;
        WriteAtEnd(_buffer.AsSpan(0, pending));
    }

    private void WriteAtEnd(ReadOnlySpan<byte> bytes)
    {
        try
        {
            IO.PositionedWrite.All(_file, bytes, _offset, Path);
        }
        catch (IOException e) when (IO.FileSystemErrors.IsDiskFull(e) && CutBack())
        {
            // The file is again exactly what was hashed; once the run has freed space, the same bytes go again.
            if (_onDiskFull?.Invoke(e) != true) throw;
            WriteAgain(bytes);
        }
        catch
        {
            _hash = null;
            throw;
        }
        _offset += bytes.Length;
        _hash?.Append(bytes);
    }

    private void WriteAgain(ReadOnlySpan<byte> bytes)
    {
        try
        {
            IO.PositionedWrite.All(_file, bytes, _offset, Path);
        }
        catch (IOException)
        {
            CutBack();
            throw;
        }
    }

    /// <summary>Drops what a failed write left past the last whole write (a partial line), so the file never ends mid-line.</summary>
    private bool CutBack()
    {
        try
        {
            RandomAccess.SetLength(_file, _offset);
            return true;
        }
        catch (IOException)
        {
            _hash = null;
            return false;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            try
            {
                FlushLocked();
                if (_hash is not null)
                    Seal = new LogFileSeal(_offset, File.GetLastWriteTimeUtc(_file), Hashing.ContentHash.Format(Hashing.ChecksumAlgorithm.XxHash128, _hash.GetCurrentHash()));
            }
            finally
            {
                _file.Dispose();
                if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }
        LogFlusher.Unregister(this);
    }
}

/// <summary>A log file as its writer closed it: what <c>waybill verify</c> later compares the file against.</summary>
public sealed record LogFileSeal(long SizeBytes, DateTime MtimeUtc, string Checksum);
