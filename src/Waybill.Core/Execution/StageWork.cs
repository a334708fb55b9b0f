using Microsoft.Extensions.Logging;
using Waybill.Core.Caching;
using Waybill.Core.Execution.Resources;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;

namespace Waybill.Core.Execution;

/// <summary>
/// What the scheduler has done to a stage: decide whether it is up to date, run it through the executor, or record why
/// it did not run; then tell the journal and the stages that read its outputs.
/// </summary>
internal sealed class StageWork(
    ExecutionPlan plan, JobLayout layout, string runId, RunServices services, IStageExecutor executor, FreshnessCheck freshness,
    RunSelection selection, ProducerRecords producers, JobJournal journal, DiskFullWatch diskFull, RunOptions options, ILogger log,
    CommandSlots slots, CancellationToken cancellationToken) : IStageWork
{
    /// <summary>Every outcome of the run, by stage id, with what the end of the run reads of its manifest (<see cref="KeptOutcome"/>).</summary>
    public Dictionary<string, StageOutcome> Outcomes { get; } = new(StringComparer.Ordinal);

    public Task<StageOutcome> Start(string stageId, ResourceGrant grant)
    {
        journal.Taken(stageId);
        // Built here, on the scheduler's thread: the plan may grow while the stage's task runs.
        var invocation = Invocation(stageId) with { Resources = grant };
        // Decided here too: a stage found up to date (nearly every stage of a no-op rerun) then costs no hand-off to a
        // pool thread and back, which took more wall time than the decision itself.
        var decided = Decide(invocation);
        if (decided.IsCompletedSuccessfully && decided.Result.Outcome is { } upToDate) return Task.FromResult(upToDate);
        // A command stage runs on a command slot's thread, start to finish (CommandSlots): its command's replies wake that
        // thread alone, and the scheduler's next step follows there. 3,000 no-op items: 1.77 s → 1.53 s, and 1.39 s without
        // reading ahead for a fan-out's first run (docs/performance.md). What blocks there (hashing for the result cache,
        // say) holds up that slot only.
        if (invocation.Stage.Kind == StageKind.Command) return slots.Run(() => RunDecided(decided));
        // Off this thread: a stage whose code blocks (a synchronous C# stage) must not hold up the others.
        return Task.Run(() => RunDecided(decided), CancellationToken.None);
    }

    private async Task<StageOutcome> RunDecided(Task<(StageOutcome? Outcome, StageInvocation? Invocation, StageDecision? Decision)> decided)
    {
        var (outcome, toRun, decision) = await decided;
        return outcome ?? await Run(toRun!, decision!);
    }

    public StageOutcome NotRun(string stageId, StageStatus status, string reason) => NotRun(Invocation(stageId), status, reason);

    private StageOutcome NotRun(StageInvocation invocation, StageStatus status, string reason)
    {
        var stageId = invocation.Stage.Id;
        try
        {
            return StageRunner.RecordNotRun(invocation, services, status, reason);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("cannot record stage {Stage} as {Status}: {Reason}", stageId, status.ToText(), e.Message);
            return new StageOutcome(stageId, status, reason, 0, JobRecords.Placeholder(invocation, services, status, reason));
        }
    }

    public FanOutExpansion Expand(string templateId)
    {
        // A follower taken first (its fan-out left out by --from) expands the fan-out it follows: the items are the same.
        templateId = plan.ById[templateId].FanOutRoot ?? templateId;
        var template = plan.ById[templateId];
        var spec = template.Foreach!;
        var source = plan.Pipeline.Find(spec.FromStage!)!;
        var path = Path.GetFullPath(Path.Combine(layout.StageDir(source.Id), source.Outputs.First(o => o.Name == spec.FromOutput).Path));
        var list = FanOutRecords.ListRecord(layout, path, services.Checksums.Algorithm);
        var (items, problem) = Pipeline.FanOut.DynamicItems.Read(path, spec, Pipeline.Limits.PipelineLimits.FromEnvironment());
        if (problem is not null)
        {
            log.LogError("Stage {Stage} cannot fan out: {Problem}", templateId, problem);
            options.Decisions?.Report((templateId, StageDecision.RunBecause(null, "cannot fan out: " + problem)));
            return new FanOutExpansion([], [], [FanOutRecords.Record(Invocation(templateId), services, StageStatus.Failed, problem, list, 0)]);
        }
        var (grown, added, rewired) = Pipeline.FanOut.FanOutExpander.ExpandDynamic(plan.Pipeline, templateId, items);
        plan.Pipeline.Grow(grown.Stages);
        if (KeptOutcome.Slim(plan.Order.Count + added.Count)) freshness.LeaveConfigOnDisk();
        // Only where earlier runs may have left manifests: a fan-out's first run has none to read, and each read ahead cost
        // a hand-off to a pool thread (3,000 no-op items: about 5,000 of 38,000 context switches, perf).
        var earlier = added.Select(s => s.BaseId).Distinct(StringComparer.Ordinal)
            .Where(t => Directory.Exists(layout.StageDir(t))).ToHashSet(StringComparer.Ordinal);
        freshness.ReadAhead([.. added.Where(s => earlier.Contains(s.BaseId)).Select(s => s.Id)]);
        log.LogInformation("Stage {Stage} fans out into {Count} items ({Source})", templateId, items.Count, spec.Describe());
        var reason = $"fanned out into {items.Count} items ({spec.Describe()})";
        var outcomes = plan.Order.Where(s => s.IsFanOut && s.FanOutRoot == templateId)
            .Select(s => Expanded(s.Id, list, reason, items.Count)).ToList();
        return new FanOutExpansion(added, rewired, outcomes);
    }

    /// <summary>
    /// The fan-out's own record: left as it is when it already says that the same list gave the same items (a no-op rerun
    /// then reports nothing run), written again otherwise. Its items have decisions of their own.
    /// </summary>
    private StageOutcome Expanded(string stageId, FileRecord? list, string reason, int count)
    {
        var invocation = Invocation(stageId);
        if (selection.ForcedBecause(stageId) is null && FanOutRecords.Unchanged(invocation, services, list, reason) is { } unchanged)
        {
            options.Decisions?.Report((stageId, new StageDecision(false, unchanged.Manifest.Reasons!, null)));
            return unchanged;
        }
        // --explain: the fan-out "ran" to read its list.
        options.Decisions?.Report((stageId, StageDecision.RunBecause(null, reason)));
        return FanOutRecords.Record(invocation, services, StageStatus.Success, reason, list, count);
    }

    public void Added(string stageId) => journal.Added(Invocation(stageId), [.. plan.Dependencies[stageId]]);

    public string? NoSpace(StageOutcome failed) =>
        diskFull.Message is not null || diskFull.FreeSpaceIfFull(failed.Manifest.Errors.Select(e => e.Message).Append(failed.Reason))
            ? diskFull.Message
            : null;

    public void Finished(StageOutcome outcome, bool forgiven)
    {
        var kept = KeptOutcome.Slim(plan.Order.Count) ? KeptOutcome.Of(outcome) : outcome;
        producers.Finished(outcome.StageId, kept.Manifest);
        journal.Finished(Invocation(outcome.StageId), outcome, forgiven);
        Outcomes[outcome.StageId] = kept;
    }

    private StageInvocation Invocation(string stageId) =>
        new(plan.Pipeline, plan.ById[stageId], layout, runId, plan.PositionOf(stageId), plan.Order.Count) { Producers = producers };

    /// <summary>
    /// Whether the stage runs: an outcome when it does not (up to date, or cancelled before it started), else the
    /// invocation to execute, with its reasons.
    /// </summary>
    private async Task<(StageOutcome? Outcome, StageInvocation? Invocation, StageDecision? Decision)> Decide(StageInvocation planned)
    {
        var stage = planned.Stage;
        StageDecision decision;
        try
        {
            decision = await freshness.DecideAsync(stage, selection.ForcedBecause(stage.Id), null, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (NotRun(planned, StageStatus.Cancelled, "run cancelled before the stage started"), null, null);
        }
#pragma warning disable CA1031 // A check that cannot decide (an unreadable file, say) means the stage runs: never a false "up to date".
        catch (Exception e)
#pragma warning restore CA1031
        {
            decision = StageDecision.RunBecause(null, $"cannot tell whether it is up to date ({e.Message})");
        }
        options.Decisions?.Report((stage.Id, decision));
        var invocation = planned with { Reasons = decision.Reasons };
        if (!decision.Run)
        {
            // The manifest and stage.log stay as the producing run wrote them; the job manifest's entry names this run
            // (checked_by_run), so a no-op rerun writes nothing per stage but its journal line.
            var view = UpToDateRecord.View(decision.Previous!, runId, decision.Reasons);
            return (new StageOutcome(stage.Id, StageStatus.Skipped, StageDecision.UpToDate, 0, view)
            {
                LeftUntouched = true,
                ManifestChecksum = decision.PreviousChecksum,
            }, null, decision);
        }
        return (null, invocation, decision);
    }

    /// <summary>A stage that runs: why (when it ran before), its start in the records, then the executor.</summary>
    private Task<StageOutcome> Run(StageInvocation invocation, StageDecision decision)
    {
        if (decision.Previous is not null) log.LogInformation("Stage {Stage} runs: {Reason}", invocation.Stage.Id, decision.Summary);
        journal.Started(invocation);
        return Execute(invocation);
    }

    private async Task<StageOutcome> Execute(StageInvocation invocation)
    {
        try
        {
            return await executor.ExecuteAsync(invocation, cancellationToken);
        }
#pragma warning disable CA1031 // An executor failure (e.g. a folder that became unwritable) fails this stage only.
        catch (Exception e)
#pragma warning restore CA1031
        {
            log.LogError(e, "stage {Stage} could not run: {Reason}", invocation.Stage.Id, e.Message);
            if (IO.FileSystemErrors.IsDiskFull(e)) return JobRecords.RecordNoSpace(invocation, services, diskFull, e);
            var manifest = ManifestJson.TryReadStage(layout.StageManifestPath(invocation.Stage.Id), out var m) ? m! : null;
            return new StageOutcome(invocation.Stage.Id, StageStatus.Failed, e.Message, 0,
                manifest ?? JobRecords.Placeholder(invocation, services, StageStatus.Failed, e.Message));
        }
    }
}
