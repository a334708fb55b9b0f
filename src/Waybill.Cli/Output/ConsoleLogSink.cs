using Microsoft.Extensions.Logging;
using Spectre.Console;
using Waybill.Core.Logging;

namespace Waybill.Cli.Output;

/// <summary>Log lines on the console: coloured by level on a terminal, the plain log format when piped.</summary>
public sealed class ConsoleLogSink(TextWriter writer, IAnsiConsole? pretty = null) : ILogSink
{
    private readonly Lock _gate = new();
    private readonly IAnsiConsole? _pretty = pretty ?? (Terminal.UseColor ? Terminal.Create(writer) : null);

    public void Emit(LogEvent logEvent)
    {
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
}
