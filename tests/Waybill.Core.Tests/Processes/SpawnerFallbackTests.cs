using System.Globalization;
using Waybill.Core.Processes;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

/// <summary>When the spawner cannot start or dies, commands start as they would without one, after one warning.</summary>
public sealed class SpawnerFallbackTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_spawner_killed_mid_run_fails_the_command_it_ran_and_later_commands_start_without_it_after_one_warning()
    {
        var slot = new SpawnerSlot(SpawnerHost.Command);
        var warnings = new WarningList();
        var pid = new TaskCompletionSource<int>();
        var running = MeasuredProcess.RunAsync(Shell("echo $$; exec sleep 60"), line => pid.TrySetResult(int.Parse(line, CultureInfo.InvariantCulture)),
            _ => { }, slot, warnings, Token);
        var sleeper = await pid.Task.WaitAsync(Token);
        var spawner = slot.Current!;

        Assert.Equal(0, LibC.Kill(spawner.ProcessId, LibC.SigKill));

        var lost = await Assert.ThrowsAsync<ProcessLostException>(() => running);
        Assert.Contains("was killed by signal 9", lost.Message, StringComparison.Ordinal);
        Assert.True(await EventuallyAsync(() => !IsRunning(sleeper), TimeSpan.FromSeconds(10)), "the command outlived its spawner");
        for (var i = 0; i < 2; i++)
        {
            var parent = new List<string>();
            var next = await MeasuredProcess.RunAsync(Shell("echo $PPID"), parent.Add, _ => { }, slot, warnings, Token);
            Assert.Equal(0, next.ExitCode);
            Assert.NotEqual(spawner.ProcessId.ToString(CultureInfo.InvariantCulture), Assert.Single(parent));
        }

        var warning = Assert.Single(warnings.Warnings);
        Assert.Contains($"the process spawner (pid {spawner.ProcessId}) was killed by signal 9", warning, StringComparison.Ordinal);
        Assert.Same(spawner, slot.Current);
    }

    [Fact]
    public async Task A_spawner_that_cannot_start_is_reported_once_and_commands_start_without_it()
    {
        // /bin/true is no spawner: it exits at once instead of answering.
        var slot = new SpawnerSlot(["/bin/true", SpawnerServer.Argument]);
        var warnings = new WarningList();

        for (var i = 0; i < 2; i++)
        {
            var output = new List<string>();
            var result = await MeasuredProcess.RunAsync(Shell("echo ran"), output.Add, _ => { }, slot, warnings, Token);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(["ran"], output);
        }

        var warning = Assert.Single(warnings.Warnings);
        Assert.Contains("The process spawner '/bin/true' exited with code 0 instead of answering", warning, StringComparison.Ordinal);
        Assert.Null(slot.Current);
    }
}
