using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Waybill.Core.Logging;

/// <summary><c>logs/events.jsonl</c>: one JSON object per log event and per stage transition, for tools.</summary>
public sealed class EventsJsonlSink : ILogSink, IFlushable, IDisposable
{
    private const int FlushAt = 60 * 1024;

    private readonly FileStream _stream;
    // The JSON writer fills one 64 KiB buffer that goes to the file when nearly full (or on flush): no per-event copy
    // into a second buffer, and a Utf8JsonWriter over the FileStream itself would flush the file per event.
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _json;
    private readonly Lock _gate = new();
    private bool _disposed;
    // Names and repeated values are encoded once: per line only the time and the message are escaped and transcoded.
    private static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText Event = JsonEncodedText.Encode("event");
    private static readonly JsonEncodedText Log = JsonEncodedText.Encode("log");
    private static readonly JsonEncodedText Level = JsonEncodedText.Encode("level");
    private static readonly JsonEncodedText Category = JsonEncodedText.Encode("category");
    private static readonly JsonEncodedText Stage = JsonEncodedText.Encode("stage");
    private static readonly JsonEncodedText Message = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText Exception = JsonEncodedText.Encode("exception");
    private static readonly JsonEncodedText[] Levels = [.. Enumerable.Range(0, 7).Select(l => JsonEncodedText.Encode(LogLineFormat.LevelName((Microsoft.Extensions.Logging.LogLevel)l)))];
    private (string? Text, JsonEncodedText Encoded) _category;
    private (string? Text, JsonEncodedText Encoded) _stage;

    public EventsJsonlSink(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        LogFlusher.Register(this);
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            if (_disposed) return;
            _json.WriteStartObject();
            _json.WriteString(Ts, logEvent.Timestamp.UtcDateTime);
            _json.WriteString(Event, Log);
            _json.WriteString(Level, Levels[Math.Clamp((int)logEvent.Level, 0, Levels.Length - 1)]);
            _json.WriteString(Category, Encoded(ref _category, logEvent.Category));
            if (logEvent.StageId is not null) _json.WriteString(Stage, Encoded(ref _stage, logEvent.StageId));
            _json.WriteString(Message, logEvent.Message);
            if (logEvent.ExceptionText is not null) _json.WriteString(Exception, logEvent.ExceptionText);
            _json.WriteEndObject();
            EndLine();
        }
    }

    /// <summary>The last category or stage seen, encoded: consecutive lines nearly always share them.</summary>
    private static JsonEncodedText Encoded(ref (string? Text, JsonEncodedText Encoded) last, string text)
    {
        if (!ReferenceEquals(last.Text, text) && last.Text != text) last = (text, JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping));
        return last.Encoded;
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
        if (_buffer.WrittenCount >= FlushAt) WriteBuffer();
    }

    private void WriteBuffer()
    {
        if (_buffer.WrittenCount == 0) return;
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

    private void FlushLocked() => WriteBuffer();

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            try
            {
                WriteBuffer();
            }
            finally
            {
                _json.Dispose();
                _stream.Dispose();
            }
        }
        LogFlusher.Unregister(this);
    }
}
