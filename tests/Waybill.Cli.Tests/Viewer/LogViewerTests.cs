using System.Diagnostics;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Viewer;

/// <summary><c>waybill logs JOB --tui</c> in a real terminal (tmux): keys sent, the screen read back as text.</summary>
public sealed class LogViewerTests : IDisposable
{
    // 01_a prints 5,000 lines and then one far down the log; 02_b fails, so the logs hold ERROR lines.
    private const string Pipeline = """
        stages:
          - id: 01_a
            run: "seq -f 'row %g of a' 1 5000; echo far-$((3+4))-needle; seq -f 'tail %g' 1 50; echo done > {out.a}"
            outputs: { a: a.txt }
          - id: 02_b
            inputs: { a: 01_a.a }
            run: "echo b-says-hello; echo bad thing >&2; exit 3"
            outputs: { b: b.txt }
        """;

    private readonly TempFolder _temp = new();
    private readonly Tmux _tmux;

    public LogViewerTests() => _tmux = new Tmux(_temp.Path);

    public void Dispose()
    {
        _tmux.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task The_viewer_shows_the_stages_beside_the_pipeline_log_and_opens_a_stage_log()
    {
        await MakeJob();
        Open("logs j --tui");
        var screen = await _tmux.WaitFor("Pipeline waybill: FAILED");
        Assert.Contains(">  pipeline log", screen);
        Assert.Contains("01_a", screen);
        Assert.Contains("02_b", screen);
        Assert.Contains("│", screen);
        Assert.Contains("q quit", screen);
        _tmux.Keys("Tab", "Down", "Down");
        screen = await _tmux.WaitFor("02_b/stage.log");
        Assert.Contains("b-says-hello", screen);
        Assert.Contains(">● 02_b", screen);
    }

    [Fact]
    public async Task Search_finds_a_line_far_down_and_n_finds_the_next()
    {
        await MakeJob();
        Open("logs j 01_a --tui");
        await _tmux.WaitFor("01_a/stage.log");
        _tmux.Type("/FAR-7");
        await _tmux.WaitFor("/FAR-7");
        _tmux.Keys("Enter");
        var line = LineOf(_temp.Combine("out", "j", "01_a", "stage.log"), "stdout| far-7-needle");
        Assert.True(line > 5000);
        var screen = await _tmux.WaitFor($"'FAR-7': line {line:N0}");
        Assert.Contains("stdout| far-7-needle", screen);
        Assert.Contains($"line {line:N0} of", screen);
        _tmux.Keys("n");
        await _tmux.WaitFor($"'FAR-7' not found below line {line:N0}");
    }

    [Fact]
    public async Task E_jumps_to_the_next_error_line()
    {
        await MakeJob();
        Open("logs j --tui");
        await _tmux.WaitFor("Pipeline waybill: FAILED");
        _tmux.Keys("e");
        var line = LineOf(Directory.GetFiles(_temp.Combine("out", "j", "logs"), "99_pipeline_*.log").Single(), "] [ERROR] ");
        var screen = await _tmux.WaitFor($"an ERROR line: line {line}");
        Assert.Contains($"line {line} of", screen);
    }

    [Fact]
    public async Task The_level_filter_hides_lower_levels_and_the_stage_filter_keeps_one_stages_lines()
    {
        await MakeJob();
        Open("logs j 02_b --tui");
        var screen = await _tmux.WaitFor("02_b/stage.log");
        Assert.Contains("[DEBUG]", screen);
        // The status line can be drawn a moment before the lines under it: a screen counts once both are there, and a
        // filter that let the lower level through never gets one.
        _tmux.Keys("l");
        screen = await _tmux.WaitFor(s => s.Contains("level: info+", StringComparison.Ordinal)
            && !s.Contains("[DEBUG]", StringComparison.Ordinal), "level info+ without a DEBUG line");
        Assert.DoesNotContain("[DEBUG]", screen);
        Assert.Contains("[ERROR] command exited with code 3", screen);
        _tmux.Keys("l", "l");
        screen = await _tmux.WaitFor(s => s.Contains("level: error", StringComparison.Ordinal)
            && !s.Contains("[INFO]", StringComparison.Ordinal), "level error without an INFO line");
        Assert.DoesNotContain("[INFO]", screen);
        Assert.Contains("[ERROR]", screen);

        _tmux.Keys("l", "Tab", "Up", "Up", "Tab");
        screen = await _tmux.WaitFor(s => s.Contains("level: all", StringComparison.Ordinal)
            && s.Contains("99_pipeline_", StringComparison.Ordinal), "the pipeline log");
        Assert.Contains("[pipeline]", screen);
        _tmux.Keys("s", "s");
        screen = await _tmux.WaitFor(s => s.Contains("stage: b", StringComparison.Ordinal)
            && !s.Contains("[pipeline]", StringComparison.Ordinal), "stage b without a pipeline line");
        Assert.DoesNotContain("[pipeline]", screen);
        Assert.Contains("[stage.b] [ERROR]", screen);
    }

    [Fact]
    public async Task Follow_shows_lines_a_running_stage_appends()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_wait
                run: >-
                  echo started; while [ ! -f ../../../stop ]; do
                  if [ -f ../../../go ]; then echo appended-while-watched; rm ../../../go; fi; sleep 0.05; done; touch {out.x}
                outputs: { x: x.txt }
            """);
        using var run = CliProcess.Start(_temp.Path, null, "run", "waybill.yaml", "--job-id", "live");
        try
        {
            var log = _temp.Combine("out", "live", "01_wait", "stage.log");
            await Tmux.Until(() => File.Exists(log) && File.ReadAllText(log).Contains("stdout| started", StringComparison.Ordinal),
                "the stage running");
            Open("logs live 01_wait --tui");
            await _tmux.WaitFor("stdout| started");
            _tmux.Keys("f");
            await _tmux.WaitFor("follow: on");
            _temp.Write("go", "");
            var screen = await _tmux.WaitFor("appended-while-watched");
            Assert.Contains("(running)", screen);
            _temp.Write("stop", "");
            await _tmux.WaitFor("(success)");
        }
        finally
        {
            _temp.Write("stop", "");
            await run.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Escape_sequences_in_a_log_line_are_shown_as_text_and_never_drive_the_terminal()
    {
        await MakeJob();
        // A log written before messages were escaped may hold a command's raw terminal codes: clear screen, red, a title.
        File.AppendAllText(_temp.Combine("out", "j", "02_b", "stage.log"),
            "[2026-01-01 00:00:00] [stage.b] [INFO] raw \u001b[2J\u001b[31mRED\u001b]0;title\u0007 end\n");
        Open("logs j 02_b --tui");
        var screen = await _tmux.WaitFor("RED");
        Assert.Contains(@"raw \x1B[2J\x1B[31mRED\x1B]0;title\x07 end", screen);
        Assert.Contains("02_b/stage.log", screen);
        Assert.Contains("b-says-hello", screen);
        Assert.Contains("q quit", screen);
    }

    [Fact]
    public async Task Q_quits_and_gives_the_shell_its_screen_and_terminal_settings_back()
    {
        await MakeJob();
        _tmux.Start($"stty -g > before.txt; echo shell-before-viewer; {CliCommand("logs j --tui")}; stty -g > after.txt; "
            + "cmp -s before.txt after.txt && echo settings-restored; echo viewer-exited; exec sleep 600", 140, 40, _temp.Path);
        await _tmux.WaitFor("q quit");
        _tmux.Keys("q");
        var screen = await _tmux.WaitFor("viewer-exited");
        Assert.Contains("shell-before-viewer", screen);
        Assert.Contains("settings-restored", screen);
        Assert.DoesNotContain("q quit", screen);
        Assert.DoesNotContain("pipeline log", screen);
    }

    [Fact]
    public async Task A_resized_terminal_is_drawn_again_at_its_new_size()
    {
        await MakeJob();
        Open("logs j --tui");
        await _tmux.WaitFor("f follow  ←→ shift");
        _tmux.Resize(70, 20);
        // At 70 columns the stage pane is 17 wide (a quarter): the separator moves from column 36 to 18.
        var screen = await _tmux.WaitFor(s => s.Split('\n').Count(row => row.IndexOf('│', StringComparison.Ordinal) == 17) == 17
            && s.Contains(">  pipeline log", StringComparison.Ordinal), "the viewer drawn again at 70 columns");
        Assert.All(screen.Split('\n'), row => Assert.True(row.Length <= 70, row));
        Assert.Contains("pipeline log", screen);
    }

    [Fact]
    public async Task Piped_the_tui_option_prints_the_plain_log_as_before()
    {
        await MakeJob();
        var plain = await CliProcess.RunAsync(_temp.Path, "logs", "j");
        var tui = await CliProcess.RunAsync(_temp.Path, "logs", "j", "--tui");
        Assert.Equal(0, tui.ExitCode);
        Assert.Equal(plain.Stdout, tui.Stdout);
        Assert.DoesNotContain("\u001b", tui.Stdout);
        Assert.Contains("[pipeline] [INFO] Pipeline waybill", tui.Stdout);
    }

    private async Task MakeJob()
    {
        _temp.Write("waybill.yaml", Pipeline);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.NotEqual(0, run.ExitCode); // 02_b fails on purpose
        Assert.True(File.Exists(_temp.Combine("out", "j", "02_b", "stage.log")), run.All);
    }

    private void Open(string arguments) => _tmux.Start(CliCommand(arguments), 140, 40, _temp.Path);

    private static string CliCommand(string arguments) => $"DOTNET_EnableDiagnostics=0 {CliProcess.ShellCommand} {arguments}";

    /// <summary>The 1-based number of the first line holding <paramref name="text"/>.</summary>
    private static int LineOf(string path, string text) =>
        File.ReadLines(path).Select((line, index) => (line, index)).First(l => l.line.Contains(text, StringComparison.Ordinal)).index + 1;
}
