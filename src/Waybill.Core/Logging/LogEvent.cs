using Microsoft.Extensions.Logging;

namespace Waybill.Core.Logging;

/// <summary>One log event. The text line is formatted once, on first use, and shared by every sink.</summary>
public sealed class LogEvent(DateTimeOffset timestamp, string category, LogLevel level, string message, Exception? exception, string? stageId)
{
    private string? _line;
    private string? _text;

    /// <summary>When the event happened (UTC; log lines show it in local time).</summary>
    public DateTimeOffset Timestamp { get; } = timestamp;
    public string Category { get; } = category;
    public LogLevel Level { get; } = level;
    public string Message { get; } = message;

    /// <summary>The message as text lines carry it: control characters escaped (<see cref="LogText.Escape"/>), so one event is one line.</summary>
    public string Text => _text ??= LogText.Escape(Message);
    public Exception? Exception { get; } = exception;
    /// <summary>The exception text with secrets already masked (the exception itself is never written raw).</summary>
    public string? ExceptionText { get; init; }
    public string? StageId { get; } = stageId;

    /// <summary><c>[2025-11-27 13:30:01] [stage.asr] [DEBUG] message</c></summary>
    public string Line => _line ??= LogLineFormat.Format(this);
}
