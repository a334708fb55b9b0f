using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Waybill.Core.Logging;

/// <summary>
/// <c>logs/events.jsonl</c>: one JSON object per log event and per stage transition, for tools. Each line reaches the file
/// whole or not at all, and a message or exception text longer than <see cref="MaxTextChars"/> is cut with a note, so
/// one line stays a few MiB at most.
/// </summary>
public sealed class EventsJsonlSink : ILogSink, IFlushable, IDisposable
{
    private const int FlushAt = 60 * 1024;

    /// <summary>The longest message or exception text an event line carries: 2 Mi characters (child output lines stop at 1 MiB).</summary>
    public const int MaxTextChars = 2 * 1024 * 1024;

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
            var lineStart = _buffer.WrittenCount;
            try
            {
                WriteEvent(logEvent);
            }
            catch
            {
                DropPartialLine(lineStart);
                throw;
            }
        }
    }

    private void WriteEvent(LogEvent logEvent)
    {
        _json.WriteStartObject();
        _json.WriteString(Ts, logEvent.Timestamp.UtcDateTime);
        _json.WriteString(Event, Log);
        _json.WriteString(Level, Levels[Math.Clamp((int)logEvent.Level, 0, Levels.Length - 1)]);
        _json.WriteString(Category, Encoded(ref _category, logEvent.Category));
        if (logEvent.StageId is not null) _json.WriteString(Stage, Encoded(ref _stage, logEvent.StageId));
        _json.WriteString(Message, Capped(logEvent.Message));
        if (logEvent.ExceptionText is not null) _json.WriteString(Exception, Capped(logEvent.ExceptionText));
        _json.WriteEndObject();
        EndLine();
    }

    private static ReadOnlySpan<char> Capped(string text) =>
        text.Length <= MaxTextChars
            ? text
            : string.Concat(text.AsSpan(0, MaxTextChars), string.Create(System.Globalization.CultureInfo.InvariantCulture, $" [text truncated: {text.Length - MaxTextChars} characters dropped]"));

    /// <summary>
    /// The JSON writer may already have handed part of a failed line to the buffer: the whole lines before it go to the file
    /// and the rest is dropped, so the file never holds a broken line.
    /// </summary>
    private void DropPartialLine(int lineStart)
    {
        _json.Reset();
        // Below the mark, the buffer already went to the file (a failed write): nothing of this line is left to drop.
        if (_buffer.WrittenCount <= lineStart) return;
        var whole = _buffer.WrittenSpan[..lineStart].ToArray();
        _buffer.Clear();
        _buffer.Write(whole);
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
