using System.Text;
using Spectre.Console;

namespace Waybill.Cli.Output;

/// <summary>
/// Spectre's view of standard output when it is reached through a <see cref="MaskingWriter"/>: Spectre's own output
/// type only knows the console is a terminal when handed Console.Out itself.
/// </summary>
internal sealed class TerminalOutput(TextWriter writer) : IAnsiConsoleOutput
{
    public TextWriter Writer { get; } = writer;

    public bool IsTerminal => Terminal.IsInteractive;

    public int Width => Terminal.Width;

    public int Height => Terminal.Height;

    public void SetEncoding(Encoding encoding)
    {
        // The process's console encoding is the runtime's to set; the writer underneath already has it.
    }
}
