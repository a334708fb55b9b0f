using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Waybill.Core.Logging;

/// <summary><c>logs/events.jsonl</c>: one JSON object per log event and per stage transition, for tools.</summary>
public sealed class EventsJsonlSink : ILogSink, IFlushable, IDisposable
{
    private readonly FileStream _stream;
    // The JSON writer fills a reusable buffer: a Utf8JsonWriter over the FileStream itself would flush the file per event.
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly Lock _gate = new();
    private bool _disposed;

    public EventsJsonlSink(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        LogFlusher.Register(this);
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            if (_disposed) return;
            _json.WriteStartObject();
            _json.WriteString("ts", logEvent.Timestamp.UtcDateTime);
            _json.WriteString("event", "log");
            _json.WriteString("level", LogLineFormat.LevelName(logEvent.Level));
            _json.WriteString("category", logEvent.Category);
            if (logEvent.StageId is not null) _json.WriteString("stage", logEvent.StageId);
            _json.WriteString("message", logEvent.Message);
            if (logEvent.ExceptionText is not null) _json.WriteString("exception", logEvent.ExceptionText);
            _json.WriteEndObject();
            EndLine();
        }
    }

    /// <summary>A stage or job transition: started, success, failed, skipped, cancelled.</summary>
    public void Transition(DateTimeOffset time, string eventName, string? stageId, string status, double? durationSeconds, string? reason)
    {
        lock (_gate)
        {
            if (_disposed) return;
            _json.WriteStartObject();
            _json.WriteString("ts", time.UtcDateTime);
            _json.WriteString("event", eventName);
            if (stageId is not null) _json.WriteString("stage", stageId);
            _json.WriteString("status", status);
            if (durationSeconds is { } d) _json.WriteNumber("duration_seconds", Math.Round(d, 3));
            if (reason is not null) _json.WriteString("reason", reason);
            _json.WriteEndObject();
            EndLine();
            FlushLocked();
        }
    }

    private void EndLine()
    {
        _json.Flush();
        _json.Reset();
        _buffer.Write("\n"u8);
        _stream.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }

    public void Flush()
    {
        lock (_gate)
        {
            if (!_disposed) FlushLocked();
        }
    }

    private void FlushLocked() => _stream.Flush();

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _json.Dispose();
            _stream.Dispose();
        }
        LogFlusher.Unregister(this);
    }
}
