using System.Diagnostics;
using Waybill.Cli.Tests.Support;
using Waybill.Core.Logging;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests;

/// <summary>
/// One event is one line: file names, commands and command output can neither forge log lines nor send raw control
/// characters to a terminal through <c>waybill logs</c>.
/// </summary>
public sealed class LogHygieneTests : IDisposable
{
    private const string Forged = "[2025-01-01 00:00:00] [pipeline] [ERROR] forged";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_newline_in_an_input_file_name_forges_no_line_in_stage_log()
    {
        var name = $"in\n{Forged}.txt";
        File.WriteAllText(_temp.Combine(name), "data\n");
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_read
                inputs: { f: { path: "in\n[2025-01-01 00:00:00] [pipeline] [ERROR] forged.txt" } }
                run: ls {in.f} && cat {in.f} > {out.o}
                outputs: { o: o.txt }
            """);

        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--debug");

        Assert.True(run.ExitCode == 0, run.All);
        var stageLog = File.ReadAllText(_temp.Combine("out", "j", "01_read", "stage.log"));
        Assert.Contains(@"in\n[2025-01-01 00:00:00] [pipeline] [ERROR] forged.txt", stageLog);
        AssertEveryLineIsAnEvent(stageLog);
        Assert.DoesNotContain("\n" + Forged, run.Stdout);
        var errors = await CliProcess.RunAsync(_temp.Path, "logs", "j", "01_read", "--level", "ERROR");
        Assert.Equal(0, errors.ExitCode);
        Assert.Equal("", errors.Stdout);
    }

    [Fact]
    public async Task A_multi_line_run_command_is_logged_with_the_prefix_on_every_line()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_script
                run: |
                  echo one
                  echo two > {out.o}
                outputs: { o: o.txt }
            """);

        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");

        Assert.True(run.ExitCode == 0, run.All);
        var stageLog = File.ReadAllText(_temp.Combine("out", "j", "01_script", "stage.log"));
        AssertEveryLineIsAnEvent(stageLog);
        var command = stageLog.Split('\n').Select(Parse).Single(l => l.Message.StartsWith("command: ", StringComparison.Ordinal));
        Assert.StartsWith("command: echo one\necho two > ", command.Message);
    }

    private const string Noisy = """
        stages:
          - id: 01_noisy
            run: |
              printf 'red \033[31mRED\033[0m nul:\000: bell\007 title \033]0;pwned\007 clear \033[2J\n'; echo ok > {out.o}
            outputs: { o: o.txt }
        """;

    [Fact]
    public async Task Terminal_escapes_and_nul_from_a_command_reach_neither_stage_log_nor_piped_logs()
    {
        _temp.Write("waybill.yaml", Noisy);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--debug");
        Assert.True(run.ExitCode == 0, run.All);

        var stageLog = File.ReadAllText(_temp.Combine("out", "j", "01_noisy", "stage.log"));
        AssertNoControlCharacters(stageLog);
        AssertNoControlCharacters(run.Stdout);
        var logs = await CliProcess.RunAsync(_temp.Path, "logs", "j", "01_noisy");
        Assert.Equal(0, logs.ExitCode);
        AssertNoControlCharacters(logs.Stdout);
        var line = logs.Stdout.Split('\n').Select(Parse).Single(l => l.Message.StartsWith("stdout| ", StringComparison.Ordinal));
        Assert.Equal("stdout| red \u001b[31mRED\u001b[0m nul:\0: bell\u0007 title \u001b]0;pwned\u0007 clear \u001b[2J", line.Message);
    }

    [Fact]
    public async Task A_failing_command_s_terminal_escapes_stay_out_of_the_run_summary()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_fail
                run: printf '\033]0;pwned\007\033[31mboom\000\n' >&2; exit 1
                outputs: { o: o.txt }
            """);

        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");

        Assert.Equal(1, run.ExitCode);
        AssertNoControlCharacters(run.All);
        Assert.Contains(@"command exited with code 1: \x1B]0;pwned\x07\x1B[31mboom\x00", run.Stdout);
    }

    [Fact]
    public async Task Logs_of_an_older_file_with_raw_escapes_reach_a_terminal_and_a_pipe_escaped()
    {
        _temp.Write("waybill.yaml", Noisy);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
        // A stage.log as a Waybill that did not escape wrote it: the command's bytes as they came.
        var stageLog = _temp.Combine("out", "j", "01_noisy", "stage.log");
        File.AppendAllText(stageLog,
            "[2025-01-01 00:00:00] [stage.noisy] [DEBUG] stdout| red \u001b[31mRED\u001b[0m nul:\0: title \u001b]0;pwned\u0007\n");

        var piped = await CliProcess.RunAsync(_temp.Path, "logs", "j", "01_noisy");
        Assert.Equal(0, piped.ExitCode);
        AssertNoControlCharacters(piped.Stdout);
        Assert.Contains(@"stdout| red \x1B[31mRED\x1B[0m nul:\x00: title \x1B]0;pwned\x07", piped.Stdout);

        var terminal = await OnTerminal($"{CliProcess.ShellCommand} logs j 01_noisy");
        Assert.Contains(@"stdout| red \x1B[31mRED\x1B[0m nul:\x00: title \x1B]0;pwned\x07", terminal);
        // script(1) turns the terminal's newlines into CR LF, and .NET switches the keypad mode on a terminal
        // (terminfo smkx/rmkx); nothing else may be a control character.
        var printed = terminal.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace("\u001b[?1h\u001b=", "", StringComparison.Ordinal).Replace("\u001b[?1l\u001b>", "", StringComparison.Ordinal);
        AssertNoControlCharacters(printed);
    }

    /// <summary>What a command writes to a real pseudo-terminal, through script(1).</summary>
    private async Task<string> OnTerminal(string command)
    {
        var info = new ProcessStartInfo("script", ["-qec", command, "/dev/null"])
        {
            WorkingDirectory = _temp.Path,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        info.Environment["TERM"] = "xterm-256color";
        info.Environment.Remove("NO_COLOR");
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, output);
        return output;
    }

    private static LogLine Parse(string line) =>
        LogLine.TryParse(line, out var parsed) ? parsed! : new LogLine("", "", Microsoft.Extensions.Logging.LogLevel.None, line);

    private static void AssertEveryLineIsAnEvent(string log)
    {
        foreach (var line in log.Split('\n').Where(l => l.Length > 0))
            Assert.True(LogLine.TryParse(line, out _) || line.StartsWith("  ", StringComparison.Ordinal), $"not an event line: {line}");
    }

    private static void AssertNoControlCharacters(string text)
    {
        var bad = text.FirstOrDefault(c => c != '\n' && (char.IsControl(c) || c is '\u2028' or '\u2029'));
        Assert.True(bad == default, $"control character U+{(int)bad:X4} in: {text}");
    }
}
