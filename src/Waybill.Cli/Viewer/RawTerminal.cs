using System.Diagnostics;

namespace Waybill.Cli.Viewer;

/// <summary>
/// The terminal as a full-screen program needs it: keys arrive one by one and are not echoed (stty, as the native
/// build has no portable termios API), the alternate screen shows the viewer, and everything is put back on
/// <see cref="Dispose"/>, on any exit path, so the shell finds its screen and settings as they were.
/// </summary>
internal sealed class RawTerminal : IDisposable
{
    private const string Enter = "\u001b[?1049h\u001b[?25l\u001b[2J";
    private const string Leave = "\u001b[0m\u001b[?25h\u001b[?1049l";

    private readonly TextWriter _output;
    private readonly string? _saved;

    private RawTerminal(TextWriter output, string? saved)
    {
        (_output, _saved) = (output, saved);
    }

    public static RawTerminal Start(TextWriter output)
    {
        var saved = Stty("-g")?.Trim();
        // Canonical mode and echo off, flow control off (Ctrl-S reaches nothing); signals stay on, so Ctrl-C still stops.
        if (Stty("-icanon", "-echo", "-ixon", "min", "1", "time", "0") is null)
            throw new CliException("cannot set up the terminal for the viewer (stty failed)", "use 'waybill logs' without --tui");
        output.Write(Enter);
        output.Flush();
        return new RawTerminal(output, saved);
    }

    public void Dispose()
    {
        _output.Write(Leave);
        _output.Flush();
        if (_saved is { Length: > 0 }) Stty(_saved);
        else Stty("sane");
    }

    /// <summary>Runs stty on this process's terminal (its standard input); its output, or null when it failed.</summary>
    private static string? Stty(params string[] arguments)
    {
        var info = new ProcessStartInfo("stty") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(info);
            if (process is null) return null;
            var text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
