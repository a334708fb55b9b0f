using Waybill.Core.Execution;
using Waybill.Core.Jobs;
using Waybill.Core.Pipeline;

namespace Waybill.Core.Caching;

/// <summary>One stage of a dry run: whether it would run and why; <see cref="Selected"/> is false for stages <c>--until</c> leaves out.</summary>
public sealed record PlannedStage(StageDefinition Stage, bool Selected, StageDecision Decision);

/// <summary>
/// A dry run: what <c>waybill run</c> would do to a job, decided as the run would decide it, writing nothing.
/// A stage after one that would run cannot know its inputs yet; it says so instead of guessing.
/// </summary>
public static class RunPlanner
{
    public static async Task<IReadOnlyList<PlannedStage>> PlanAsync(PipelineDefinition pipeline, RunOptions options, CancellationToken cancellationToken)
    {
        PipelineValidator.ThrowIfInvalid(pipeline);
        var plan = new ExecutionPlan(pipeline);
        var selection = RunSelection.Resolve(plan, options.Force, options.From, options.Until);
        // What the run would refuse, a dry run refuses too.
        Execution.Resources.ResourceCheck.ThrowIfTooLarge(plan.Order.Where(s => selection.Includes(s.Id)),
            options.Resources ?? Execution.Resources.RunResources.Machine);
        if (options.JobId is not null && JobIds.Problem(options.JobId) is { } problem)
            throw new PipelineInvalidException(new PipelineError(problem, Field: "--job-id"));
        var layout = options.JobId is null ? null : new JobLayout(Path.Combine(options.OutputRoot, options.JobId));
        var result = new List<PlannedStage>();
        if (layout is null || !Directory.Exists(layout.Root))
        {
            foreach (var stage in plan.Order)
                result.Add(new PlannedStage(stage, selection.Includes(stage.Id), StageDecision.RunBecause(null, selection.ForcedBecause(stage.Id) ?? "new job")));
            return result;
        }
        using var services = new RunServices(options.Time, PipelineRunner.SecretsOf(pipeline), ChecksumCache.Load(layout.StatCachePath, pipeline.Checksum),
            (_, _) => throw new InvalidOperationException("a dry run opens no log"));
        using var freshness = new FreshnessCheck(pipeline, layout, services);
        freshness.Preload(plan.Order.Where(s => selection.Includes(s.Id) && selection.ForcedBecause(s.Id) is null).Select(s => s.Id));
        var willRun = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stage in plan.Order)
        {
            if (!selection.Includes(stage.Id))
            {
                result.Add(new PlannedStage(stage, false, new StageDecision(false, [$"not selected (--until {options.Until})"], null)));
                continue;
            }
            var pendingUpstream = plan.Dependencies[stage.Id].FirstOrDefault(willRun.Contains);
            var decision = await freshness.DecideAsync(stage, selection.ForcedBecause(stage.Id), pendingUpstream, cancellationToken);
            if (decision.Run) willRun.Add(stage.Id);
            result.Add(new PlannedStage(stage, true, decision));
        }
        return result;
    }
}
