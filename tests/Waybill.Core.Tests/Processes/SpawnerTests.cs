using System.Globalization;
using Waybill.Core.Processes;
using Waybill.Tests.Support;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

/// <summary>Commands started by the process spawner: what they get, what comes back, and what happens when it ends.</summary>
public sealed class SpawnerTests : IDisposable
{
    private readonly ProcessSpawner _spawner = ProcessSpawner.Start(SpawnerHost.Command);
    private readonly TempFolder _temp = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _spawner.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_command_gets_its_arguments_environment_and_working_folder_and_its_output_and_exit_code_come_back()
    {
        var environment = Environment();
        environment["GREETING"] = "grüß dich";
        var spec = new ProcessSpec("/bin/sh", ["-c", "echo \"$1|$GREETING|$(pwd)|$PPID\"; echo oops >&2; exit 7", "sh", "a 'b' ä"], _temp.Path, environment);

        var run = await RunAsync(spec);

        Assert.Equal([$"a 'b' ä|grüß dich|{_temp.Path}|{_spawner.ProcessId}"], run.Stdout);
        Assert.Equal(["oops"], run.Stderr);
        Assert.Equal(7, run.Result.ExitCode);
        Assert.Null(run.Result.Signal);
        Assert.False(run.Result.Cancelled);
    }

    [Fact]
    public async Task A_command_killed_by_a_signal_reports_the_signal()
    {
        var run = await RunAsync(Shell("kill -TERM $$"));

        Assert.Equal(15, run.Result.Signal);
        Assert.Equal(128 + 15, run.Result.ExitCode);
    }

    [Fact]
    public async Task A_command_that_cannot_start_fails_as_it_would_when_started_directly()
    {
        var spec = Shell("true", _temp.Combine("missing"));

        var direct = await Assert.ThrowsAsync<ProcessStartException>(() => ChildProcess.RunAsync(spec, _ => { }, _ => { }, Token));
        var spawned = await Assert.ThrowsAsync<ProcessStartException>(() => RunAsync(spec));

        Assert.Equal(direct.Message, spawned.Message);
        Assert.Contains("is not accessible", spawned.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_inherits_no_descriptor_of_the_engine_or_the_spawner()
    {
        var spec = new ProcessSpec("/bin/ls", ["/proc/self/fd"], "", Environment());

        var direct = await CaptureAsync(spec, null);
        var spawned = await RunAsync(spec);

        // Only what a direct child gets: stdio, the listing's own handle on the folder (3), and whatever this test
        // program itself inherited without close-on-exec.
        Assert.Contains("3", spawned.Stdout);
        Assert.Equal(direct.Stdout, spawned.Stdout);
    }

    [Fact]
    public async Task Every_child_is_reaped_and_its_pidfd_closed()
    {
        for (var i = 0; i < 20; i++) Assert.Equal(0, (await RunAsync(Shell("true"))).Result.ExitCode);

        // The last release reaches the spawner just after the last result came back.
        var children = $"/proc/{_spawner.ProcessId}/task/{_spawner.ProcessId}/children";
        Assert.True(await EventuallyAsync(() => File.ReadAllText(children).Length == 0, TimeSpan.FromSeconds(10)), File.ReadAllText(children));
        Assert.DoesNotContain(Directory.GetFiles($"/proc/{_spawner.ProcessId}/fd"), fd => PidFd(fd));
    }

    [Fact]
    public async Task While_another_command_runs_a_finished_one_is_released_with_the_next_request_and_all_are_reaped_at_the_end()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var up = new TaskCompletionSource();
        var longRun = ChildProcess.RunAsync(Shell("echo up; exec sleep 60"), _ => up.TrySetResult(), _ => { }, _spawner, cancel.Token);
        await up.Task.WaitAsync(Token);

        var first = (await RunAsync(Shell("true"))).Result.ProcessId;
        // Its zombie waits for the next request rather than wake the spawner once more.
        Assert.Contains(first, SpawnerChildren());
        var second = (await RunAsync(Shell("true"))).Result.ProcessId;
        Assert.True(await EventuallyAsync(() => !SpawnerChildren().Contains(first), TimeSpan.FromSeconds(10)), "the first release never came");
        Assert.Contains(second, SpawnerChildren());

        cancel.Cancel();
        Assert.True((await longRun).Cancelled);
        Assert.True(await EventuallyAsync(() => SpawnerChildren().Count == 0, TimeSpan.FromSeconds(10)), string.Join(' ', SpawnerChildren()));
        Assert.DoesNotContain(Directory.GetFiles($"/proc/{_spawner.ProcessId}/fd"), fd => PidFd(fd));
    }

    private List<int> SpawnerChildren() =>
        [.. File.ReadAllText($"/proc/{_spawner.ProcessId}/task/{_spawner.ProcessId}/children")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(pid => int.Parse(pid, CultureInfo.InvariantCulture))];

    private static bool PidFd(string link)
    {
        try
        {
            return new FileInfo(link).LinkTarget?.Contains("pidfd", StringComparison.Ordinal) ?? false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Cancelling_a_command_terminates_its_whole_process_group()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var spec = Shell("sleep 60 & echo $!; wait");
        var stdout = new List<string>();

        var result = await ChildProcess.RunAsync(spec, line =>
        {
            stdout.Add(line);
            cancel.Cancel();
        }, _ => { }, _spawner, cancel.Token);

        Assert.True(result.Cancelled);
        Assert.Equal(15, result.Signal);
        var sleeper = int.Parse(stdout[0], CultureInfo.InvariantCulture);
        Assert.True(await EventuallyAsync(() => !IsRunning(sleeper), TimeSpan.FromSeconds(10)), "the background sleep outlived its group");
        Assert.Empty(LiveMembersOfGroup(result.ProcessId));
    }

    [Fact]
    public async Task Output_a_leftover_process_holds_open_is_still_read_after_the_command_exits()
    {
        // The leftover writes once the command has exited: its shell is a zombie (reaped only when the output is done) or
        // gone. A fixed sleep of 0.3 s left a busy machine 0.7 s of the one-second linger to start the subshell, and did
        // not promise that the command had exited first.
        var run = await RunAsync(Shell(
            "(while s=$(cut -d' ' -f3 /proc/$$/stat 2>/dev/null) && [ \"$s\" != Z ]; do sleep 0.01; done; echo late) & echo early"));

        Assert.Equal(["early", "late"], run.Stdout);
        Assert.False(run.Result.LeftoversKilled);
    }

    [Fact]
    public async Task A_command_smaller_than_the_spawner_gets_the_spawner_s_peak_flagged_as_an_upper_bound()
    {
        var run = await RunAsync(Shell("true"));

        Assert.True(run.Result.PeakRssIsUpperBound);
        Assert.InRange(run.Result.PeakRssBytes, 1, _spawner.PeakBytes + (8L << 20));
    }

    [Fact]
    public async Task Closing_the_engine_s_end_ends_the_spawner_and_the_command_it_ran_is_killed_and_reported_lost()
    {
        var pid = new TaskCompletionSource<int>();
        var running = ChildProcess.RunAsync(Shell("echo $$; exec sleep 60"), line => pid.TrySetResult(int.Parse(line, CultureInfo.InvariantCulture)),
            _ => { }, _spawner, Token);
        var sleeper = await pid.Task.WaitAsync(Token);

        _spawner.Dispose();

        var lost = await Assert.ThrowsAsync<ProcessLostException>(() => running);
        Assert.Contains("exited with code 0", lost.Message, StringComparison.Ordinal);
        Assert.Equal("exited with code 0", _spawner.Ended);
        Assert.False(Directory.Exists($"/proc/{_spawner.ProcessId}"), "the spawner is still there");
        Assert.True(await EventuallyAsync(() => !IsRunning(sleeper), TimeSpan.FromSeconds(10)), "the command outlived its spawner");
    }

    private Task<CapturedRun> RunAsync(ProcessSpec spec) => CaptureAsync(spec, _spawner);

    private static async Task<CapturedRun> CaptureAsync(ProcessSpec spec, ProcessSpawner? spawner)
    {
        var stdout = new List<string>();
        var stderr = new List<string>();
        var result = await ChildProcess.RunAsync(spec, stdout.Add, stderr.Add, spawner, Token);
        return new CapturedRun(result, stdout, stderr);
    }
}
