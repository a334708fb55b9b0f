using System.Text;

namespace Waybill.Core.Logging;

/// <summary>Appends formatted lines to a file through a large buffer. Flushed by <see cref="LogFlusher"/>, on warnings and errors, and on dispose.</summary>
public sealed class TextFileSink : ILogSink, IFlushable, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly bool _withExceptions;
    private readonly Lock _gate = new();
    private bool _dirty;
    private bool _disposed;

    /// <param name="withExceptions">true for stage logs (full exception text); the pipeline log keeps one line per event.</param>
    public TextFileSink(string path, bool withExceptions)
    {
        Path = path;
        _withExceptions = withExceptions;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);
        // 16 K characters: large enough to batch many lines per write, small enough to stay off the large-object heap.
        _writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 14);
        LogFlusher.Register(this);
    }

    public string Path { get; }

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            if (_disposed) return;
            if (_withExceptions)
            {
                _writer.Write(logEvent.Line);
                _writer.Write('\n');
                if (logEvent.ExceptionText is { } text)
                {
                    _writer.Write(text);
                    _writer.Write('\n');
                }
            }
            else
            {
                // The pipeline log keeps one line per event, so grep shows the whole event.
                var line = logEvent.Line;
                _writer.Write(line.Contains('\n', StringComparison.Ordinal) ? line.ReplaceLineEndings(" ⏎ ") : line);
                _writer.Write('\n');
            }
            _dirty = true;
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

    private void FlushLocked()
    {
        if (!_dirty) return;
        _writer.Flush();
        _dirty = false;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _writer.Flush();
            _writer.Dispose();
            _disposed = true;
        }
        LogFlusher.Unregister(this);
    }
}
