using System.Text;
using Spectre.Console;

namespace Waybill.Cli.Output;

/// <summary>
/// Spectre's view of standard output when it is reached through a <see cref="MaskingWriter"/>: Spectre's own output
/// type only knows the console is a terminal when handed Console.Out itself.
/// </summary>
internal sealed class TerminalOutput(TextWriter writer) : IAnsiConsoleOutput
{
    private const int DefaultWidth = 80;
    private const int DefaultHeight = 24;

    public TextWriter Writer { get; } = writer;

    public bool IsTerminal => Terminal.IsInteractive;

    public int Width => Measure(() => Console.WindowWidth, DefaultWidth);

    public int Height => Measure(() => Console.WindowHeight, DefaultHeight);

    public void SetEncoding(Encoding encoding)
    {
        // The process's console encoding is the runtime's to set; the writer underneath already has it.
    }

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
