using System.Globalization;
using Waybill.Core.Processes;
using Waybill.Tests.Support;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

/// <summary>
/// Commands started by a spawner whose replies the calling thread reads itself (a command slot's): the whole command runs on
/// that thread, and everything the shared spawner's commands get and report comes back the same.
/// </summary>
public sealed class OwnedSpawnerTests : IDisposable
{
    private readonly ProcessSpawner _spawner = ProcessSpawner.Start(SpawnerHost.Command, ownerReads: true);
    private readonly TempFolder _temp = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _spawner.Stop(TimeSpan.FromSeconds(10));
        _temp.Dispose();
    }

    [Fact]
    public void A_command_runs_to_its_end_on_the_calling_thread_with_its_arguments_environment_output_and_exit_code()
    {
        var environment = Environment();
        environment["GREETING"] = "grüß dich";
        var spec = new ProcessSpec("/bin/sh", ["-c", "echo \"$1|$GREETING|$(pwd)|$PPID\"; echo oops >&2; exit 7", "sh", "a 'b' ä"], _temp.Path, environment);
        var thread = System.Environment.CurrentManagedThreadId;
        var threads = new HashSet<int>();

        var run = RunHere(spec, () => threads.Add(System.Environment.CurrentManagedThreadId));

        Assert.Equal([$"a 'b' ä|grüß dich|{_temp.Path}|{_spawner.ProcessId}"], run.Stdout);
        Assert.Equal(["oops"], run.Stderr);
        Assert.Equal(7, run.Result.ExitCode);
        Assert.False(run.Result.Cancelled);
        Assert.Equal([thread], threads);
        Assert.True(run.Result.PeakRssIsUpperBound);
    }

    [Fact]
    public async Task A_command_killed_by_a_signal_or_one_that_cannot_start_reports_it_as_with_the_shared_spawner()
    {
        var killed = RunHere(Shell("kill -TERM $$"));
        Assert.Equal(15, killed.Result.Signal);
        Assert.Equal(128 + 15, killed.Result.ExitCode);

        var spec = Shell("true", _temp.Combine("missing"));
        var started = ChildProcess.RunAsync(spec, _ => { }, _ => { }, _spawner, Token);
        Assert.True(started.IsCompleted);
        var failure = await Assert.ThrowsAsync<ProcessStartException>(() => started);
        Assert.Contains("is not accessible", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_output_on_both_streams_is_read_whole_while_the_command_writes_it()
    {
        // 200,000 lines on each stream: far more than a pipe holds, so a command whose output were read only at its end blocks.
        var run = RunHere(Shell("seq 1 200000; seq 1 200000 >&2"));

        Assert.Equal(200_000, run.Stdout.Count);
        Assert.Equal(200_000, run.Stderr.Count);
        Assert.Equal("200000", run.Stdout[^1]);
        Assert.Equal(0, run.Result.ExitCode);
    }

    [Fact]
    public async Task Cancelling_from_another_thread_terminates_the_command_s_whole_process_group()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var stdout = new List<string>();
        var line = new TaskCompletionSource();
        var watcher = Task.Run(async () =>
        {
            await line.Task;
            await cancel.CancelAsync();
        }, Token);

        var task = ChildProcess.RunAsync(Shell("sleep 60 & echo $!; wait"), l =>
        {
            stdout.Add(l);
            line.TrySetResult();
        }, _ => { }, _spawner, cancel.Token);
        Assert.True(task.IsCompleted);
        var result = await task;
        await watcher;

        Assert.True(result.Cancelled);
        Assert.Equal(15, result.Signal);
        var sleeper = int.Parse(stdout[0], CultureInfo.InvariantCulture);
        Assert.True(await EventuallyAsync(() => !IsRunning(sleeper), TimeSpan.FromSeconds(10)), "the background sleep outlived its group");
    }

    [Fact]
    public async Task Output_a_leftover_holds_open_is_read_after_the_exit_and_one_that_stays_open_is_killed_after_the_linger()
    {
        var late = RunHere(Shell(
            "(while s=$(cut -d' ' -f3 /proc/$$/stat 2>/dev/null) && [ \"$s\" != Z ]; do sleep 0.01; done; echo late) & echo early"));
        Assert.Equal(["early", "late"], late.Stdout);
        Assert.False(late.Result.LeftoversKilled);

        var held = RunHere(Shell("sleep 60 & echo $!"));
        Assert.True(held.Result.LeftoversKilled);
        var sleeper = int.Parse(held.Stdout[0], CultureInfo.InvariantCulture);
        Assert.True(await EventuallyAsync(() => !IsRunning(sleeper), TimeSpan.FromSeconds(10)), "the leftover outlived the linger");
    }

    [Fact]
    public async Task A_callback_that_throws_ends_the_command_and_its_exception_reaches_the_caller()
    {
        var task = ChildProcess.RunAsync(Shell("echo one; exec sleep 60"), _ => throw new InvalidDataException("refused"), _ => { }, _spawner, Token);

        Assert.True(task.IsCompleted);
        Assert.Equal("refused", (await Assert.ThrowsAsync<InvalidDataException>(() => task)).Message);
    }

    [Fact]
    public async Task A_finished_command_waits_for_the_next_request_to_be_released_and_the_stop_reaps_it_and_the_spawner()
    {
        var first = RunHere(Shell("true")).Result.ProcessId;
        Assert.Contains(first, SpawnerChildren());
        var second = RunHere(Shell("true")).Result.ProcessId;
        // Sent with the second request, the release may be taken after the second command's exit was reported.
        Assert.True(await EventuallyAsync(() => !SpawnerChildren().Contains(first), TimeSpan.FromSeconds(10)), "the first release never came");
        Assert.Contains(second, SpawnerChildren());

        _spawner.Stop(TimeSpan.FromSeconds(10));

        Assert.Equal("exited with code 0", _spawner.Ended);
        Assert.False(Directory.Exists($"/proc/{_spawner.ProcessId}"), "the spawner is still there");
    }

    [Fact]
    public async Task A_spawner_closed_while_its_command_runs_kills_the_command_which_is_reported_lost()
    {
        var pid = new TaskCompletionSource<int>();
        var closer = Task.Run(async () =>
        {
            await pid.Task;
            _spawner.Dispose();
        }, Token);

        var running = ChildProcess.RunAsync(Shell("echo $$; exec sleep 60"), line => pid.TrySetResult(int.Parse(line, CultureInfo.InvariantCulture)),
            _ => { }, _spawner, Token);
        Assert.True(running.IsCompleted);
        await closer;

        var lost = await Assert.ThrowsAsync<ProcessLostException>(() => running);
        Assert.Contains("exited with code 0", lost.Message, StringComparison.Ordinal);
        Assert.True(await EventuallyAsync(() => !IsRunning(pid.Task.Result), TimeSpan.FromSeconds(10)), "the command outlived its spawner");
    }

    [Fact]
    public void A_thread_gets_its_own_spawner_while_it_owns_one_and_it_is_forgotten_once_stopped()
    {
        var slot = new SpawnerSlot(SpawnerHost.Command);
        ProcessSpawner? owned = null, again = null, afterwards = null;
        var during = new List<ProcessSpawner>();
        var thread = new Thread(() =>
        {
            SpawnerSlot.OwnOnThisThread(true);
            owned = slot.Get(null);
            again = slot.Get(null);
            during.AddRange(slot.All);
            SpawnerSlot.OwnOnThisThread(false);
            afterwards = slot.Get(null);
            slot.StopOwned(TimeSpan.FromSeconds(10));
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)));

        Assert.True(owned!.OwnerReads);
        Assert.Same(owned, again);
        Assert.Equal([owned], during);
        // Not owning, the thread gets the shared one.
        Assert.False(afterwards!.OwnerReads);
        Assert.Equal([afterwards], slot.All);
        Assert.False(Directory.Exists($"/proc/{owned.ProcessId}"), "the stopped spawner is still there");
        afterwards.Stop(TimeSpan.FromSeconds(10));
    }

    private CapturedRun RunHere(ProcessSpec spec, Action? onLine = null)
    {
        var stdout = new List<string>();
        var stderr = new List<string>();
        var task = ChildProcess.RunAsync(spec, line =>
        {
            onLine?.Invoke();
            stdout.Add(line);
        }, line =>
        {
            onLine?.Invoke();
            stderr.Add(line);
        }, _spawner, Token);
        // Nothing to wait for: the command ran on this thread.
        Assert.True(task.IsCompleted);
        return new CapturedRun(task.GetAwaiter().GetResult(), stdout, stderr);
    }

    private List<int> SpawnerChildren() =>
        [.. File.ReadAllText($"/proc/{_spawner.ProcessId}/task/{_spawner.ProcessId}/children")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(pid => int.Parse(pid, CultureInfo.InvariantCulture))];
}
