using System.Globalization;
using Waybill.Core.Processes;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

public sealed class ChildProcessOutputTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reports_exit_code_zero_for_a_successful_command()
    {
        var run = await CaptureAsync(new ProcessSpec("/bin/true", [], "", Environment()), Token);

        Assert.Equal(0, run.Result.ExitCode);
        Assert.Null(run.Result.Signal);
        Assert.False(run.Result.Cancelled);
        Assert.True(run.Result.ProcessId > 0);
        Assert.True(run.Result.WallTime > TimeSpan.Zero);
    }

    [Fact]
    public async Task Reports_a_non_zero_exit_code()
    {
        var run = await CaptureAsync(Shell("exit 3"), Token);

        Assert.Equal(3, run.Result.ExitCode);
        Assert.Null(run.Result.Signal);
    }

    [Fact]
    public async Task Reports_the_signal_that_killed_the_child_as_exit_code_128_plus_signal()
    {
        var run = await CaptureAsync(Shell("kill -9 $$"), Token);

        Assert.Equal(9, run.Result.Signal);
        Assert.Equal(137, run.Result.ExitCode);
        Assert.False(run.Result.Cancelled);
    }

    [Fact]
    public async Task Streams_stdout_and_stderr_lines_separately_and_in_order()
    {
        const string script = """
            i=1
            while [ $i -le 1000 ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done
            printf 'last out without newline'
            printf 'last err without newline' >&2
            """;

        var run = await CaptureAsync(Shell(script), Token);

        var expectedOut = Enumerable.Range(1, 1000).Select(i => string.Create(CultureInfo.InvariantCulture, $"out {i}"))
            .Append("last out without newline");
        var expectedErr = Enumerable.Range(1, 1000).Select(i => string.Create(CultureInfo.InvariantCulture, $"err {i}"))
            .Append("last err without newline");
        Assert.Equal(expectedOut, run.Stdout);
        Assert.Equal(expectedErr, run.Stderr);
        Assert.Equal(0, run.Result.ExitCode);
    }

    [Fact]
    public async Task Calls_each_callback_from_one_thread_at_a_time_while_both_streams_flow()
    {
        var busy = new int[2];
        var overlaps = 0;
        void OnLine(int stream)
        {
            if (Interlocked.Increment(ref busy[stream]) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            Thread.SpinWait(200);
            Interlocked.Decrement(ref busy[stream]);
        }

        var result = await ChildProcess.RunAsync(
            Shell("i=0; while [ $i -lt 2000 ]; do echo o; echo e >&2; i=$((i+1)); done"),
            _ => OnLine(0),
            _ => OnLine(1),
            Token);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(0, overlaps);
    }

    [Fact]
    public async Task Decodes_utf8_output_and_replaces_invalid_bytes()
    {
        var run = await CaptureAsync(Shell("printf 'héllo wörld ✓\\n'; printf 'bad \\377 byte\\n' >&2"), Token);

        Assert.Equal(["héllo wörld ✓"], run.Stdout);
        Assert.Equal(["bad \uFFFD byte"], run.Stderr);
    }

    [Fact]
    public async Task Passes_exactly_the_given_environment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ALPHA"] = "1",
            ["WITH_SPACES"] = "a b  c",
            ["UNICODE"] = "ünï ✓",
            ["EMPTY"] = "",
            ["EQUALS"] = "x=y",
        };

        var run = await CaptureAsync(new ProcessSpec("/usr/bin/env", [], "", environment), Token);

        Assert.Equal(environment.Select(p => $"{p.Key}={p.Value}").Order(StringComparer.Ordinal), run.Stdout.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Passes_arguments_verbatim_with_argv0_as_given()
    {
        var run = await CaptureAsync(
            new ProcessSpec("sh", ["-c", "echo \"$0\"; for a in \"$@\"; do echo \"[$a]\"; done", "zero", "a b", "", "ü *"], "", Environment()),
            Token);

        Assert.Equal(["zero", "[a b]", "[]", "[ü *]"], run.Stdout);
    }

    [Fact]
    public async Task Runs_in_the_given_working_directory_even_with_spaces_and_non_ascii_characters()
    {
        var directory = Directory.CreateTempSubdirectory("waybill dir ü ✓ ");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "marker.txt"), "found me\n", Token);
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "tool.sh"), "#!/bin/sh\necho tool ran\n", Token);
            MakeExecutable(Path.Combine(directory.FullName, "tool.sh"));

            var cat = await CaptureAsync(new ProcessSpec("cat", ["marker.txt"], directory.FullName, Environment()), Token);
            var relative = await CaptureAsync(new ProcessSpec("./tool.sh", [], directory.FullName, Environment()), Token);

            Assert.Equal(["found me"], cat.Stdout);
            Assert.Equal(0, cat.Result.ExitCode);
            Assert.Equal(["tool ran"], relative.Stdout);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Resolves_the_command_on_the_PATH_of_the_given_environment()
    {
        var directory = Directory.CreateTempSubdirectory("waybill-path-");
        try
        {
            var tool = Path.Combine(directory.FullName, "waybill-only-here");
            await File.WriteAllTextAsync(tool, "#!/bin/sh\necho private tool\n", Token);
            MakeExecutable(tool);
            var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = $"/nonexistent::{directory.FullName}" };

            var run = await CaptureAsync(new ProcessSpec("waybill-only-here", [], "", environment), Token);

            Assert.Equal(["private tool"], run.Stdout);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Gives_the_child_an_empty_stdin()
    {
        var run = await CaptureAsync(new ProcessSpec("/bin/cat", [], "", Environment()), Token);

        Assert.Empty(run.Stdout);
        Assert.Equal(0, run.Result.ExitCode);
    }

    [Fact]
    public async Task Restores_default_SIGPIPE_in_the_child()
    {
        // The runtime ignores SIGPIPE and exec would keep that: yes would then report EPIPE on stderr.
        var run = await CaptureAsync(Shell("yes | head -n 1"), Token);

        Assert.Equal(["y"], run.Stdout);
        Assert.Empty(run.Stderr);
        Assert.Equal(0, run.Result.ExitCode);
    }

    [Fact]
    public async Task Starts_the_child_with_no_blocked_signals_and_default_dispositions()
    {
        // grep reads its own status, so the mask is exactly what exec handed over (a shell would block signals itself).
        var run = await CaptureAsync(new ProcessSpec("/bin/grep", ["-E", "^Sig(Blk|Ign):", "/proc/self/status"], "", Environment()), Token);

        var masks = run.Stdout.Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => ulong.Parse(p[1].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        Assert.Equal(0UL, masks["SigBlk"]);
        foreach (var signal in new[] { 2, 13, 15, 17 })
        {
            Assert.Equal(0UL, masks["SigIgn"] & (1UL << (signal - 1)));
        }
    }

    [Fact]
    public async Task Makes_the_child_the_leader_of_its_own_process_group()
    {
        var run = await CaptureAsync(new ProcessSpec("/usr/bin/cut", ["-d", " ", "-f", "5", "/proc/self/stat"], "", Environment()), Token);

        Assert.Equal([run.Result.ProcessId.ToString(CultureInfo.InvariantCulture)], run.Stdout);
    }

    [Fact]
    public async Task Faults_with_the_callback_exception_after_terminating_the_process_group()
    {
        var pid = 0;
        var task = ChildProcess.RunAsync(
            Shell("echo $$; while :; do echo x; done"),
            line =>
            {
                if (pid == 0)
                {
                    pid = int.Parse(line, CultureInfo.InvariantCulture);
                    return;
                }

                throw new InvalidOperationException("callback failed");
            },
            _ => { },
            Token);

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => task.WaitAsync(TimeSpan.FromSeconds(10), Token));

        Assert.Equal("callback failed", exception.Message);
        Assert.Empty(LiveMembersOfGroup(pid));
    }
}
