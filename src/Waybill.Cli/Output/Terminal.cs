using Spectre.Console;

namespace Waybill.Cli.Output;

/// <summary>Pretty output on a terminal, plain text when piped; NO_COLOR is honoured.</summary>
public static class Terminal
{
    public static bool IsInteractive => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");

    public static bool UseColor => IsInteractive && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>The terminal's width in columns (80 when it cannot be told).</summary>
    public static int Width => Measure(() => Console.WindowWidth, 80);

    /// <summary>The terminal's height in rows (24 when it cannot be told).</summary>
    public static int Height => Measure(() => Console.WindowHeight, 24);

    public static IAnsiConsole Create(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = UseColor ? AnsiSupport.Yes : AnsiSupport.No,
        ColorSystem = UseColor ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = IsInteractive ? InteractionSupport.Yes : InteractionSupport.No,
        Out = new TerminalOutput(writer),
    });

    public static string StatusMarkup(string status) => status switch
    {
        "success" => "[green]success[/]",
        "failed" => "[red]failed[/]",
        "failed (optional)" => "[yellow]failed (optional)[/]",
        "skipped" => "[yellow]skipped[/]",
        "cancelled" => "[grey]cancelled[/]",
        "running" => "[blue]running[/]",
        _ => Markup.Escape(status),
    };

    private static int Measure(Func<int> read, int fallback)
    {
        try
        {
            return read() is > 0 and var size ? size : fallback;
        }
        catch (IOException)
        {
            return fallback;
        }
    }
}
