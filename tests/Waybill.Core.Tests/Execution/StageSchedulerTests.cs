using Waybill.Core.Execution;
using Waybill.Core.Execution.Resources;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Xunit;

namespace Waybill.Core.Tests.Execution;

/// <summary>The scheduler alone, with a stand-in for the runner: stage runs added while the run goes on.</summary>
public sealed class StageSchedulerTests
{
    private static readonly RunResources Resources = new(4, 1L << 30, []);

    [Fact]
    public async Task A_stage_added_while_its_dependency_runs_starts_only_after_that_dependency_finishes()
    {
        var (plan, late) = Plan();
        var log = new List<string>();
        var slow = new TaskCompletionSource<StageOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        StageScheduler scheduler = null!;
        var work = new Work(log)
        {
            OnStart = id => id switch
            {
                "01_slow" => slow.Task,
                "02_quick" => AddThen(() => scheduler.Add(late, ["01_slow"]), id),
                _ => Task.FromResult(Outcome(id, StageStatus.Success)),
            },
            // The slow stage ends only after the added stage had its chance to start too early.
            OnFinished = o => { if (o.StageId == "02_quick") slow.SetResult(Outcome("01_slow", StageStatus.Success)); },
        };
        scheduler = new StageScheduler(plan, plan.Order.Select(s => s.Id), new OptionalFailures(plan), Resources, maxParallel: 2, keepGoing: false);

        await scheduler.RunAsync(work, TestContext.Current.CancellationToken);

        Assert.Equal(["start 01_slow", "start 02_quick", "end 02_quick", "end 01_slow", "start 03_late", "end 03_late"], log);
        Assert.Equal(3, plan.PositionOf("03_late"));
        Assert.Equal(["01_slow"], plan.Dependencies["03_late"]);
    }

    [Fact]
    public async Task A_stage_added_after_its_dependency_failed_is_skipped_and_one_added_after_a_success_starts()
    {
        var (plan, late) = Plan();
        var other = PipelineOf("04_other").Stages[0];
        var log = new List<string>();
        StageScheduler scheduler = null!;
        var work = new Work(log)
        {
            OnStart = id => Task.FromResult(Outcome(id, id == "01_slow" ? StageStatus.Failed : StageStatus.Success)),
            OnFinished = o =>
            {
                if (o.StageId != "02_quick") return;
                scheduler.Add(late, ["01_slow"]);
                scheduler.Add(other, ["02_quick"]);
            },
        };
        scheduler = new StageScheduler(plan, plan.Order.Select(s => s.Id), new OptionalFailures(plan), Resources, maxParallel: 1, keepGoing: true);

        await scheduler.RunAsync(work, TestContext.Current.CancellationToken);

        Assert.Equal(["start 01_slow", "end 01_slow", "start 02_quick", "end 02_quick", "not run 03_late: upstream failed: 01_slow",
            "end 03_late", "start 04_other", "end 04_other"], log);
    }

    private static Task<StageOutcome> AddThen(Action add, string id)
    {
        add();
        return Task.FromResult(Outcome(id, StageStatus.Success));
    }

    // 01_slow and 02_quick in the plan; 03_late is defined but added only while the run goes on.
    private static (ExecutionPlan Plan, StageDefinition Late) Plan() =>
        (new ExecutionPlan(PipelineOf("01_slow", "02_quick")), PipelineOf("03_late").Stages[0]);

    private static PipelineDefinition PipelineOf(params string[] ids)
    {
        var builder = new PipelineBuilder("scheduler", Path.GetTempPath());
        foreach (var id in ids) builder.Stage(id, () => new EmptyStage());
        return builder.Build();
    }

    private static StageOutcome Outcome(string id, StageStatus status) => new(id, status, status == StageStatus.Failed ? "boom" : null, 0, new StageManifest
    {
        Stage = id[3..], StageId = id, JobId = "job", RunId = "run", Kind = "code", Host = "host", WaybillVersion = "0",
    });

    private sealed class Work(List<string> log) : IStageWork
    {
        public required Func<string, Task<StageOutcome>> OnStart { get; init; }
        public Action<StageOutcome> OnFinished { get; init; } = _ => { };

        public Task<StageOutcome> Start(string stageId, ResourceGrant grant)
        {
            log.Add("start " + stageId);
            return OnStart(stageId);
        }

        public StageOutcome NotRun(string stageId, StageStatus status, string reason)
        {
            log.Add($"not run {stageId}: {reason}");
            return Outcome(stageId, status);
        }

        public string? NoSpace(StageOutcome failed) => null;

        public FanOutExpansion Expand(string templateId) => throw new InvalidOperationException("no fan-out in these plans");

        public void Added(string stageId) => log.Add("added " + stageId);

        public void Finished(StageOutcome outcome, bool forgiven)
        {
            log.Add("end " + outcome.StageId);
            OnFinished(outcome);
        }
    }

    private sealed class EmptyStage : IStage
    {
        public Task RunAsync(StageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
