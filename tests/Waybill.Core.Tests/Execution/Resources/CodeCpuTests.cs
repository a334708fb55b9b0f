using Waybill.Core.Execution;
using Waybill.Core.Execution.Resources;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Processes;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution.Resources;

/// <summary>
/// An in-process stage's own CPU time (<c>code_cpu_seconds</c>) counts its code on every thread it ran on, and not the
/// work of a stage beside it, which the process-wide figure (<c>cpu_seconds</c>, marked shared) cannot tell apart.
/// </summary>
public sealed class CodeCpuTests : IDisposable
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(100);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_stage_is_charged_its_own_code_on_every_thread_and_an_idle_stage_beside_it_nothing_of_its_work()
    {
        var idlerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var burnerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = new PipelineBuilder("cpu", _temp.Path)
            .Stage("01_idle", DelegateStage.Of(async (_, token) =>
            {
                idlerStarted.SetResult();
                await burnerDone.Task.WaitAsync(token); // no CPU of its own while its neighbour works
            }))
            .Stage("02_burn", DelegateStage.Of(async (_, token) =>
            {
                await idlerStarted.Task.WaitAsync(token);
                Burn(); // on the thread that resumed it
                await Task.Yield();
                Burn(); // on whichever thread the pool gave the continuation
                await Task.Run(Burn, token); // in a task it started, which carries its flow
                burnerDone.SetResult();
            }))
            .Build();
        var options = TwoSlots.Options(_temp.Combine("out"));

        var result = await PipelineRunner.RunAsync(pipeline, options, TestContext.Current.CancellationToken);

        Assert.True(result.Status == StageStatus.Success, string.Join("; ", result.Stages.Select(s => $"{s.StageId}: {s.Reason}")));
        var idle = result.Stages.Single(s => s.StageId == "01_idle").Manifest.Resources;
        var burn = result.Stages.Single(s => s.StageId == "02_burn").Manifest.Resources;
        var burnt = 3 * Slice.TotalSeconds;
        Assert.Equal(["cpu", "peak_rss"], idle.Shared);
        // The process-wide figure charged the idle stage with its neighbour's work; its own code used next to nothing.
        Assert.True(idle.CpuSeconds >= burnt * 0.9, $"cpu_seconds {idle.CpuSeconds}");
        Assert.True(idle.CodeCpuSeconds < 0.05, $"code_cpu_seconds {idle.CodeCpuSeconds}");
        Assert.True(burn.CodeCpuSeconds >= burnt * 0.99 && burn.CodeCpuSeconds < burnt + 0.2, $"code_cpu_seconds {burn.CodeCpuSeconds}");
    }

    [Fact]
    public async Task A_command_stage_has_no_code_figure_its_figures_are_its_processes()
    {
        var pipeline = new PipelineBuilder("cmd", _temp.Path).Command("01_true", "true").Build();
        var options = new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out") };

        var result = await PipelineRunner.RunAsync(pipeline, options, TestContext.Current.CancellationToken);

        var stage = Assert.Single(result.Stages);
        Assert.Equal(StageStatus.Success, stage.Status);
        Assert.Null(stage.Manifest.Resources.CodeCpuSeconds);
        Assert.Null(stage.Manifest.Resources.Shared);
    }

    /// <summary>Busy until this thread has used <see cref="Slice"/> of CPU time, however loaded the machine is.</summary>
    private static void Burn()
    {
        var start = ThreadCpu();
        var x = 0UL;
        do
        {
            for (var i = 0; i < 100_000; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
        }
        while (ThreadCpu() - start < Slice);
        GC.KeepAlive(x);
    }

    private static unsafe TimeSpan ThreadCpu()
    {
        var time = stackalloc long[2];
        Assert.Equal(0, LibC.ClockGetTime(LibC.ClockThreadCpuTime, time));
        return TimeSpan.FromTicks(time[0] * TimeSpan.TicksPerSecond + time[1] / 100);
    }
}
