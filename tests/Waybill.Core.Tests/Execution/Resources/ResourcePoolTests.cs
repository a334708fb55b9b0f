using Waybill.Core.Execution;
using Waybill.Core.Execution.Resources;
using Waybill.Core.Pipeline;
using Waybill.Core.Pipeline.Controls;
using Waybill.Core.Stages;
using Xunit;

namespace Waybill.Core.Tests.Execution.Resources;

/// <summary>The scheduler's count of what is free, and the order in which waiting stages get it.</summary>
public sealed class ResourcePoolTests
{
    private static StageControls Asks(int threads = 1, long? memory = null, int? gpus = null) =>
        new() { Threads = threads, MemoryBytes = memory, Gpus = gpus };

    [Fact]
    public void Threads_memory_and_gpus_are_taken_while_a_stage_runs_and_given_back_after()
    {
        var pool = new ResourcePool(new RunResources(4, 1000, ["0", "1", "2"]));

        var first = pool.TryTake(Asks(threads: 2, memory: 600, gpus: 2))!;
        Assert.Equal(["0", "1"], first.GpuDevices);
        Assert.True(first.SetsVisibleGpus);
        Assert.Null(pool.TryTake(Asks(memory: 500)));
        Assert.Null(pool.TryTake(Asks(gpus: 2)));
        Assert.Null(pool.TryTake(Asks(threads: 3)));
        var second = pool.TryTake(Asks(threads: 2, memory: 400, gpus: 1))!;
        Assert.Equal(["2"], second.GpuDevices);
        Assert.False(pool.AnyCoreFree);

        pool.Release(first);
        // The lowest free device first, whatever order they came back in.
        Assert.Equal(["0"], pool.TryTake(Asks(gpus: 1))!.GpuDevices);
        pool.Release(second);
        Assert.Equal(["1", "2"], pool.TryTake(Asks(gpus: 2))!.GpuDevices);
    }

    [Fact]
    public void A_stage_without_gpus_sees_none_only_where_the_run_hands_gpus_out()
    {
        Assert.True(new ResourcePool(new RunResources(2, 1000, ["0"])).TryTake(Asks())!.SetsVisibleGpus);
        Assert.False(new ResourcePool(new RunResources(2, 1000, [])).TryTake(Asks())!.SetsVisibleGpus);
    }

    [Fact]
    public void Gpus_beyond_those_found_are_the_next_indices_and_fewer_are_the_first_ones()
    {
        var machine = new RunResources(2, 1000, ["GPU-aa", "GPU-bb"]);
        Assert.Equal(["GPU-aa"], machine.With(null, null, 1).GpuDevices);
        Assert.Equal(["GPU-aa", "GPU-bb", "0"], machine.With(null, null, 3).GpuDevices);
        Assert.Equal(["0", "1"], new RunResources(2, 1000, []).With(3, 2000, 2).GpuDevices);
        Assert.True(machine.With(3, null, null).CoresGiven);
        Assert.False(machine.With(3, null, null).MemoryGiven);
    }

    [Fact]
    public void Later_stages_that_fit_start_before_a_large_one_only_as_often_as_the_limit_allows()
    {
        // 01_big asks for all 4 cores; the small ones for one each. Two small ones are running when 01_big is next.
        var builder = new PipelineBuilder("fair", Path.GetTempPath());
        builder.Stage("01_big", Empty, s => s.Controls(c => c with { Threads = 4 }));
        for (var i = 2; i <= 9; i++) builder.Stage($"0{i}_small{i}", Empty);
        var plan = new ExecutionPlan(builder.Build());
        var pending = new PendingStages(plan, plan.Order.Select(s => s.Id));
        var pool = new ResourcePool(new RunResources(4, 1000, []));
        var running = new List<ResourceGrant> { pool.TryTake(Asks())!, pool.TryTake(Asks())! };
        var queue = new StartQueue(pending, pool, id => plan.ById[id].Controls, overtakeLimit: 2);

        // 01_big does not fit: two small stages may pass it, then nothing more starts although two cores are still free.
        Assert.True(queue.TryTake(out var a, out var grantA));
        Assert.True(queue.TryTake(out var b, out var grantB));
        Assert.Equal(["02_small2", "03_small3"], new[] { a, b });
        Assert.Equal(("01_big", 2), queue.Waiting);
        pool.Release(running[0]);
        Assert.False(queue.TryTake(out _, out _));

        // Once everything running has finished, the large stage goes first.
        pool.Release(running[1]);
        pool.Release(grantA);
        pool.Release(grantB);
        Assert.True(queue.TryTake(out var big, out var bigGrant));
        Assert.Equal("01_big", big);
        Assert.Equal(4, bigGrant.Threads);
        Assert.False(queue.TryTake(out _, out _));
        pool.Release(bigGrant);
        Assert.True(queue.TryTake(out var next, out _));
        Assert.Equal("04_small4", next);
    }

    private static IStage Empty() => new EmptyStage();

    private sealed class EmptyStage : IStage
    {
        public Task RunAsync(StageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
