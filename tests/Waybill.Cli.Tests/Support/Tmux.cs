using System.Diagnostics;
using Waybill.Tests.Support;

namespace Waybill.Cli.Tests.Support;

/// <summary>
/// A real terminal for a test: a tmux server on a socket in the test's own folder (nothing in /tmp), one window of a
/// given size running a command; keys are sent and the screen is read as text. Waiting polls the screen until a
/// condition holds or a deadline passes. The server is killed on Dispose.
/// </summary>
public sealed class Tmux : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _socket;
    private readonly string _folder;

    public Tmux(string folder)
    {
        _folder = folder;
        _socket = Path.Combine(folder, "tmux.sock");
    }

    /// <summary>Starts the window running <paramref name="shellCommand"/> (sh syntax) in <paramref name="workingDirectory"/>.</summary>
    public void Start(string shellCommand, int width, int height, string workingDirectory) =>
        Run("new-session", "-d", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", workingDirectory, shellCommand);

    /// <summary>Keys as tmux names them (<c>Down</c>, <c>Tab</c>, <c>Escape</c>, <c>Enter</c>) or literal text.</summary>
    public void Keys(params string[] keys) => Run(["send-keys", .. keys]);

    /// <summary>Makes the window <paramref name="width"/> × <paramref name="height"/> (the program gets SIGWINCH).</summary>
    public void Resize(int width, int height) => Run("resize-window", "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Literal text, typed as it is.</summary>
    public void Type(string text) => Run("send-keys", "-l", text);

    /// <summary>
    /// The screen as text (no colours), one line per row; with <paramref name="joinWrapped"/>, a line the terminal wrapped is one line.
    /// </summary>
    public string Screen(bool joinWrapped = false) => joinWrapped ? Run("capture-pane", "-p", "-J") : Run("capture-pane", "-p");

    /// <summary>Polls the screen until <paramref name="condition"/> holds; fails with the last screen after the deadline.</summary>
    public async Task<string> WaitFor(Func<string, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        var screen = "";
        while (clock.Elapsed < Deadline)
        {
            screen = Screen();
            if (condition(screen)) return screen;
            await Task.Delay(50);
        }
        throw new TimeoutException($"the screen did not show {what} within {Deadline.TotalSeconds} s; it showed:\n{screen}");
    }

    /// <summary>Polls <paramref name="condition"/> (a file appearing) until it holds; fails after the deadline.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Deadline) throw new TimeoutException($"{what} did not happen within {Deadline.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    public Task<string> WaitFor(string text) => WaitFor(s => s.Contains(text, StringComparison.Ordinal), $"'{text}'");

    public void Dispose()
    {
        try
        {
            Run("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone (its last window ended).
        }
    }

    private string Run(params string[] arguments) =>
        HelperProgram.Run("tmux", ["-S", _socket, .. arguments],
            new Dictionary<string, string?> { ["TMUX_TMPDIR"] = _folder, ["TMUX"] = null, ["TERM"] = "xterm-256color" });

    /// <summary>Single-quoted for sh.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
