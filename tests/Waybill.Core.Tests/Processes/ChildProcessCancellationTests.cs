using System.Diagnostics;
using System.Globalization;
using Waybill.Core.Processes;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

public sealed class ChildProcessCancellationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Cancellation_terminates_the_whole_process_group_quickly()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var sleeper = 0;
        var stopwatch = new Stopwatch();

        // The first line is the pid of the background grandchild, so it surely runs when we cancel.
        var run = await CaptureAsync(
            Shell("sleep 30 & echo $!; wait"),
            cts.Token,
            onStdoutLine: line =>
            {
                sleeper = int.Parse(line, CultureInfo.InvariantCulture);
                stopwatch.Start();
                cts.Cancel();
            });

        output.WriteLine($"returned {stopwatch.Elapsed.TotalMilliseconds:F1} ms after cancellation");
        Assert.True(run.Result.Cancelled);
        Assert.Equal(15, run.Result.Signal);
        Assert.Equal(143, run.Result.ExitCode);
        // A safety net, not a speed test: without the group kill the run would last the sleep's 30 s; a busy machine
        // (three test hosts on two cores) can take over a second to deliver the signal and reap the group.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        Assert.False(IsRunning(sleeper), "the grandchild sleep should have been terminated");
        Assert.Empty(LiveMembersOfGroup(run.Result.ProcessId));
    }

    [Fact]
    public async Task Kills_a_child_that_ignores_SIGTERM_after_the_grace_period()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var stopwatch = new Stopwatch();

        var run = await CaptureAsync(
            Shell("trap '' TERM; echo ready; sleep 30"),
            cts.Token,
            killGrace: TimeSpan.FromMilliseconds(500),
            onStdoutLine: _ =>
            {
                stopwatch.Start();
                cts.Cancel();
            });

        output.WriteLine($"returned {stopwatch.Elapsed.TotalMilliseconds:F1} ms after cancellation");
        Assert.True(run.Result.Cancelled);
        Assert.Equal(9, run.Result.Signal);
        Assert.Equal(137, run.Result.ExitCode);
        // The grace is waited for; the upper bound is a safety net well short of the 30 s sleep a missed SIGKILL leaves.
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(10));
        Assert.Empty(LiveMembersOfGroup(run.Result.ProcessId));
    }

    [Fact]
    public async Task Cancels_after_a_delay_without_throwing()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));

        var result = await ChildProcess.RunAsync(new ProcessSpec("/bin/sleep", ["30"], "", Environment()), _ => { }, _ => { }, cts.Token);

        Assert.True(result.Cancelled);
        Assert.Equal(15, result.Signal);
        // The upper bound is a safety net (the sleep lasts 30 s), wide enough for a busy machine.
        Assert.InRange(result.WallTime, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Returns_a_cancelled_result_without_starting_when_already_cancelled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var lines = 0;

        var result = await ChildProcess.RunAsync(Shell("echo started"), _ => lines++, _ => lines++, cts.Token);

        Assert.True(result.Cancelled);
        Assert.Equal(0, result.ProcessId);
        Assert.Equal(0, lines);
    }

    [Fact]
    public async Task Cancelling_after_completion_changes_nothing()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var result = await ChildProcess.RunAsync(Shell("exit 4"), _ => { }, _ => { }, cts.Token);
        await cts.CancelAsync();

        Assert.False(result.Cancelled);
        Assert.Equal(4, result.ExitCode);
    }
}
