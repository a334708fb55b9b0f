using Waybill.Core.Execution;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Xunit;

namespace Waybill.Core.Tests.Execution;

/// <summary>The scheduler's queue: ready stages in plan order, and stages a failed dependency keeps from running.</summary>
public sealed class PendingStagesTests
{
    // 01 → 02 → 04, 01 → 03, and 05 on its own.
    private static ExecutionPlan Plan()
    {
        var builder = new PipelineBuilder("queue", Path.GetTempPath());
        builder.Stage("01_a", Empty);
        builder.Stage("02_b", Empty, s => s.RunsAfter("01_a"));
        builder.Stage("03_c", Empty, s => s.RunsAfter("01_a"));
        builder.Stage("04_d", Empty, s => s.RunsAfter("02_b"));
        builder.Stage("05_e", Empty);
        return new ExecutionPlan(builder.Build());
    }

    private static IStage Empty() => new EmptyStage();

    [Fact]
    public void Stages_become_ready_in_plan_order_as_their_dependencies_finish()
    {
        var plan = Plan();
        var pending = new PendingStages(plan, plan.Order.Select(s => s.Id));

        Assert.Equal(["01_a", "05_e"], TakeAllReady(pending));
        Assert.False(pending.TryTakeBlocked(out _, out _));
        pending.Finished("05_e", blocksDependents: false);
        Assert.Empty(TakeAllReady(pending));
        pending.Finished("01_a", blocksDependents: false);
        Assert.Equal(["02_b", "03_c"], TakeAllReady(pending));
        pending.Finished("02_b", blocksDependents: false);
        Assert.Equal(["04_d"], TakeAllReady(pending));
        Assert.Equal(0, pending.Count);
    }

    [Fact]
    public void A_failed_stage_blocks_its_dependents_and_theirs_in_turn()
    {
        var plan = Plan();
        var pending = new PendingStages(plan, plan.Order.Select(s => s.Id));
        TakeAllReady(pending);

        pending.Finished("01_a", blocksDependents: true);

        Assert.Empty(TakeAllReady(pending));
        Assert.True(pending.TryTakeBlocked(out var first, out var by));
        Assert.Equal(("02_b", "01_a"), (first, by));
        // The runner records 02_b as skipped, which blocks 04_d in turn.
        pending.Finished("02_b", blocksDependents: true);
        Assert.True(pending.TryTakeBlocked(out var second, out _));
        Assert.Equal("03_c", second);
        pending.Finished("03_c", blocksDependents: true);
        Assert.True(pending.TryTakeBlocked(out var third, out var thirdBy));
        Assert.Equal(("04_d", "02_b"), (third, thirdBy));
        Assert.Equal(0, pending.Count);
    }

    [Fact]
    public void Unselected_stages_are_not_pending_and_what_never_starts_stays_in_order()
    {
        var plan = Plan();
        var pending = new PendingStages(plan, ["02_b", "04_d", "05_e"]);

        Assert.Equal(["05_e"], TakeAllReady(pending));
        Assert.Equal(["02_b", "04_d"], pending.InOrder());
    }

    private static List<string> TakeAllReady(PendingStages pending)
    {
        var taken = new List<string>();
        while (pending.TryTakeReady(out var id)) taken.Add(id);
        return taken;
    }

    private sealed class EmptyStage : IStage
    {
        public Task RunAsync(StageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
