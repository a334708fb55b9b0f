using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Waybill.Core.Logging;

/// <summary>
/// <c>logs/events.jsonl</c>: one JSON object per log event and per stage transition, for tools. Every line is whole: a
/// write that fails (a full disk) is cut back to the last whole line and its lines kept for the next write, so
/// neither a failed write nor the retry leaves half a line; writing never throws into the run. A message or exception
/// text longer than <see cref="MaxTextChars"/> is cut with a note, so one line stays a few MiB at most.
/// </summary>
public sealed class EventsJsonlSink : ILogSink, IFlushable, IDisposable
{
    private const int FlushAt = 60 * 1024;
    // Lines kept while writes fail; past this they are dropped (and counted) rather than held in memory without bound.
    private const int MaxHeldBytes = 4 * 1024 * 1024;

    /// <summary>The longest message or exception text an event line carries: 2 Mi characters (child output lines stop at 1 MiB).</summary>
    public const int MaxTextChars = 2 * 1024 * 1024;

    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _file;
    private readonly Func<Exception, bool>? _onDiskFull;
    private long _offset;
    private long _droppedLines;
    // The time of the newest event: the note of dropped lines carries it (the sink has no clock of its own).
    private DateTimeOffset _lastTime;
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

    /// <param name="onDiskFull">Called when a write meets a full disk; true when space was freed and one retry may succeed.</param>
    public EventsJsonlSink(string path, Func<Exception, bool>? onDiskFull = null)
    {
        Path = path;
        _onDiskFull = onDiskFull;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        _offset = RandomAccess.GetLength(_file);
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        // A line cut short by an earlier writer (killed, or out of space) is ended, so this run's first line stays whole
        // and verify can name the broken one.
        if (_offset > 0 && !EndsWithNewline()) _buffer.Write("\n"u8);
        LogFlusher.Register(this);
    }

    public string Path { get; }

    private bool EndsWithNewline()
    {
        Span<byte> last = stackalloc byte[1];
        return RandomAccess.Read(_file, last, _offset - 1) == 1 && last[0] == (byte)'\n';
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
        _lastTime = logEvent.Timestamp;
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
            : string.Concat(text.AsSpan(0, MaxTextChars),
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $" [text truncated: {text.Length - MaxTextChars} characters dropped]"));

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
    /// <param name="optional">stage_finished of a failed optional stage: its failure does not fail the job.</param>
    /// <param name="warnings">job_finished: each optional stage that failed, with its reason.</param>
    public void Transition(DateTimeOffset time, string eventName, string? stageId, string status, double? durationSeconds, string? reason,
        bool optional = false, IReadOnlyList<string>? warnings = null)
    {
        lock (_gate)
        {
            if (_disposed) return;
            _lastTime = time;
            _json.WriteStartObject();
            _json.WriteString("ts", time.UtcDateTime);
            _json.WriteString("event", eventName);
            if (stageId is not null) _json.WriteString("stage", stageId);
            _json.WriteString("status", status);
            if (durationSeconds is { } d) _json.WriteNumber("duration_seconds", Math.Round(d, 3));
            if (reason is not null) _json.WriteString("reason", reason);
            if (optional) _json.WriteBoolean("optional", true);
            if (warnings is { Count: > 0 })
            {
                _json.WriteStartArray("warnings");
                foreach (var warning in warnings) _json.WriteStringValue(warning);
                _json.WriteEndArray();
            }
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
        if (_droppedLines > 0 && TryWrite(DroppedNote())) _droppedLines = 0;
        if (_droppedLines == 0 && TryWrite(_buffer.WrittenSpan))
        {
            _buffer.ResetWrittenCount();
            return;
        }
        if (_buffer.WrittenCount <= MaxHeldBytes) return;
        _droppedLines += _buffer.WrittenSpan.Count((byte)'\n');
        _buffer.ResetWrittenCount();
    }

    /// <summary>
    /// Writes whole lines or nothing: a failed write is cut back to where it began; a full disk gets one retry once space was freed.
    /// </summary>
    private bool TryWrite(ReadOnlySpan<byte> lines)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                RandomAccess.Write(_file, lines, _offset);
                _offset += lines.Length;
                return true;
            }
            catch (IOException e)
            {
                try
                {
                    RandomAccess.SetLength(_file, _offset);
                }
                catch (IOException)
                {
                    // Nothing more can be done here; verify names the broken line.
                }
                if (attempt == 0 && _onDiskFull?.Invoke(e) == true) continue;
                SinkFailure.Report(this, e);
                return false;
            }
        }
    }

    private byte[] DroppedNote() => System.Text.Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{{\"ts\":\"{_lastTime.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"event\":\"events_dropped\","
        + $"\"lines\":{_droppedLines},\"reason\":\"events.jsonl could not be written\"}}\n"));

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
                _file.Dispose();
            }
        }
        LogFlusher.Unregister(this);
    }
}
