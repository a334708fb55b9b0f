using Microsoft.Extensions.Logging;
using Waybill.Core.Secrets;

namespace Waybill.Core.Logging;

/// <summary>
/// The <see cref="ILogger"/> a stage writes to. Each event is formatted once, secrets are masked,
/// and the event goes to every route whose level it reaches (stage.log: all; pipeline log and console: INFO+).
/// </summary>
public sealed class RoutingLogger(string category, string? stageId, LogRoute[] routes, Redactor redactor, TimeProvider time) : ILogger
{
    private readonly LogLevel _minimum = routes.Length == 0 ? LogLevel.None : routes.Min(r => r.MinimumLevel);

    public string Category { get; } = category;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= _minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var message = redactor.Redact(formatter(state, exception));
        if (exception is not null && string.IsNullOrEmpty(message)) message = exception.Message;
        var logEvent = new LogEvent(time.GetUtcNow(), Category, logLevel, message, exception, stageId)
        {
            ExceptionText = exception is null ? null : redactor.Redact(exception.ToString()),
        };
        foreach (var route in routes)
            if (logLevel >= route.MinimumLevel) route.Sink.Emit(logEvent);
    }
}
