using Microsoft.Extensions.Logging;
using Spectre.Console;
using Waybill.Core.Logging;

namespace Waybill.Cli.Output;

/// <summary>Log lines on the console: coloured by level on a terminal, the plain log format when piped.</summary>
public sealed class ConsoleLogSink(TextWriter writer, IAnsiConsole? pretty = null) : ILogSink
{
    private readonly Lock _gate = new();
    private readonly IAnsiConsole? _pretty = pretty ?? (Terminal.UseColor ? Terminal.Create(writer) : null);
    private readonly LiveBoard? _board;

    /// <summary>Lines printed above a run's live display.</summary>
    internal ConsoleLogSink(TextWriter writer, LiveBoard board) : this(writer)
    {
        _board = board;
    }

    public void Emit(LogEvent logEvent)
    {
        if (_board is not null)
        {
            _board.Print(Terminal.UseColor ? Coloured(logEvent)
                : LogLineFormat.Timestamp(logEvent.Timestamp) + " " + logEvent.Category + " " + logEvent.Text);
            return;
        }
        lock (_gate)
        {
            if (_pretty is null)
            {
                writer.WriteLine(logEvent.Line);
                return;
            }
            var color = logEvent.Level switch
            {
                >= LogLevel.Error => "red",
                LogLevel.Warning => "yellow",
                LogLevel.Debug or LogLevel.Trace => "grey",
                _ => logEvent.Text.StartsWith('✓') ? "green" : "default",
            };
            _pretty.MarkupLine($"[grey]{LogLineFormat.Timestamp(logEvent.Timestamp)}[/] [blue]{Markup.Escape(logEvent.Category)}[/] "
                + $"[{color}]{Markup.Escape(logEvent.Text)}[/]");
        }
    }

    private static string Coloured(LogEvent logEvent)
    {
        var color = logEvent.Level switch
        {
            >= LogLevel.Error => "\u001b[31m",
            LogLevel.Warning => "\u001b[33m",
            LogLevel.Debug or LogLevel.Trace => "\u001b[90m",
            _ => logEvent.Text.StartsWith('✓') ? "\u001b[32m" : "",
        };
        return $"\u001b[90m{LogLineFormat.Timestamp(logEvent.Timestamp)}\u001b[0m \u001b[34m{logEvent.Category}\u001b[0m "
            + $"{color}{logEvent.Text}\u001b[0m";
    }
}
