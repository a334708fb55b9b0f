using Waybill.Core.Execution.Resources;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;

namespace Waybill.Core.Execution;

/// <summary>
/// Decides what runs when: the ready stages in plan order, within <c>--jobs</c> and the run's cores, memory and GPUs
/// (each stage's controls), skipping what a failed dependency blocks, stopping new starts after a failure (unless
/// <c>--keep-going</c>) or a full disk, and leaving the rest when the run is cancelled. Stage runs may be added while it
/// runs (<see cref="Add"/>). It never touches a file: starting, recording and reporting are the <see cref="IStageWork"/>'s.
/// </summary>
internal sealed class StageScheduler
{
    private readonly ExecutionPlan _plan;
    private readonly PendingStages _pending;
    private readonly ResourcePool _pool;
    private readonly StartQueue _starts;
    private readonly OptionalFailures _optionals;
    private readonly int _maxParallel;
    private readonly bool _keepGoing;
    private readonly Dictionary<Task<StageOutcome>, ResourceGrant> _running = [];

    public StageScheduler(ExecutionPlan plan, IEnumerable<string> stageIds, OptionalFailures optionals, RunResources resources,
        int maxParallel, bool keepGoing)
    {
        _plan = plan;
        _pending = new PendingStages(plan, stageIds);
        _pool = new ResourcePool(resources);
        _maxParallel = Math.Max(1, maxParallel);
        _starts = new StartQueue(_pending, _pool, id => plan.ById[id].Controls, _maxParallel);
        _optionals = optionals;
        _keepGoing = keepGoing;
    }

    /// <summary>The stages not yet started, in plan order.</summary>
    public IEnumerable<string> PendingInOrder() => _pending.InOrder();

    /// <summary>
    /// Adds a stage run found while the run goes on (a fan-out's item): appended to the plan, started once the stage runs
    /// it depends on have finished (at once when they have; skipped when one failed). Call it from an
    /// <see cref="IStageWork"/> callback: the scheduler is not thread-safe.
    /// </summary>
    public void Add(StageDefinition stage, IReadOnlyList<string> dependsOn)
    {
        _plan.Add(stage, dependsOn);
        _pending.Add(stage.Id);
    }

    /// <summary>Runs every stage to its outcome, or records why it did not run.</summary>
    public async Task RunAsync(IStageWork work, CancellationToken cancellationToken)
    {
        string? stoppedBy = null;
        string? noSpace = null;
        while (_pending.Count > 0 || _running.Count > 0)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                while (_pending.TryTakeBlocked(out var id, out var failedDependency))
                {
                    _optionals.Inherit(id, failedDependency);
                    Finish(work, work.NotRun(id, StageStatus.Skipped, $"upstream failed: {_optionals.Label(failedDependency)}"), blocksDependents: true);
                }
                while (stoppedBy is null && _running.Count < _maxParallel && _starts.TryTake(out var id, out var grant))
                {
                    if (!_plan.ById[id].IsFanOut)
                    {
                        _running[work.Start(id, grant)] = grant;
                        continue;
                    }
                    // A dynamic fan-out whose list now exists: its items join the plan; it takes no slot of its own.
                    _pool.Release(grant);
                    if (Expand(work, id) is { } failed && !_keepGoing) stoppedBy ??= failed;
                }
            }

            if (_running.Count == 0)
            {
                var reason = cancellationToken.IsCancellationRequested ? null
                    : noSpace is not null ? $"not run: {noSpace}"
                    : stoppedBy is null ? "dependencies never completed"
                    : $"not run: {stoppedBy} failed (use --keep-going to run independent stages)";
                foreach (var id in _pending.InOrder().ToList())
                    Finish(work, work.NotRun(id, reason is null ? StageStatus.Cancelled : StageStatus.Skipped, reason ?? "run cancelled before the stage started"),
                        blocksDependents: false);
                return;
            }

            var finished = await Task.WhenAny(_running.Keys);
            _pool.Release(_running[finished]);
            _running.Remove(finished);
            var outcome = await finished;
            // A full disk fails every stage after it: none starts, --keep-going or not.
            if (outcome.Status == StageStatus.Failed && work.NoSpace(outcome) is { } full) noSpace ??= full;
            var forgiven = noSpace is null && _optionals.Forgive(outcome);
            Finish(work, outcome, blocksDependents: false);
            // One item failing fails that item and what depends on it: the other items go on (keep-going per item).
            var perItem = _plan.ById[outcome.StageId].Item is not null;
            if (outcome.Status == StageStatus.Failed && !forgiven && ((!_keepGoing && !perItem) || noSpace is not null)) stoppedBy ??= outcome.StageId;
        }
    }

    /// <summary>
    /// Adds a dynamic fan-out's item runs, makes whatever waited for the fan-out (a gather, an <c>after:</c>) wait for every
    /// item, then records the fan-out stage and its per-item followers as expanded. Returns the fan-out's id when it failed.
    /// </summary>
    private string? Expand(IStageWork work, string templateId)
    {
        var expansion = work.Expand(templateId);
        var waiting = new List<StageDefinition>(expansion.Added);
        // An item of a later stage depends on the same item of an earlier one: each joins after what it reads.
        while (waiting.Count > 0)
        {
            var before = waiting.Count;
            waiting.RemoveAll(stage =>
            {
                // A loop, not a query: it runs once for each of a fan-out's items (100,000 in one expansion).
                var dependsOn = new List<string>();
                foreach (var dependency in stage.DependsOn)
                {
                    var id = _plan.Pipeline.Find(dependency)!.Id;
                    if (!_plan.ById.ContainsKey(id)) return false;
                    dependsOn.Add(id);
                }
                Add(stage, dependsOn);
                work.Added(stage.Id);
                return true;
            });
            if (waiting.Count == before) throw new InvalidOperationException($"fan-out {templateId}: items depend on runs that are not in the plan");
        }
        foreach (var stage in expansion.Rewired) _plan.Replace(stage);
        var itemsOf = expansion.Added.GroupBy(s => s.TemplateId!).ToDictionary(g => g.Key, g => g.Select(s => s.Id).ToList(), StringComparer.Ordinal);
        var templates = expansion.Templates.Select(t => t.StageId).ToHashSet(StringComparer.Ordinal);
        // Expanded: written anew, or found as a rerun left it (the same list into the same items).
        foreach (var outcome in expansion.Templates.Where(o => o.Status == StageStatus.Success || o.LeftUntouched))
        {
            if (!itemsOf.TryGetValue(outcome.StageId, out var items)) continue;
            foreach (var dependent in _pending.DependentsOf(outcome.StageId).Where(d => !templates.Contains(d)))
                _pending.AddDependencies(dependent, items);
        }
        foreach (var outcome in expansion.Templates) Finish(work, outcome, blocksDependents: false);
        return expansion.Templates.FirstOrDefault(o => o.Status == StageStatus.Failed)?.StageId;
    }

    private void Finish(IStageWork work, StageOutcome outcome, bool blocksDependents)
    {
        var blocks = blocksDependents || outcome.Status is StageStatus.Failed or StageStatus.Cancelled;
        // An optional stage's branch blocks only the dependents that need its outputs.
        if (blocks && _optionals.InBranch(outcome.StageId)) _pending.Finished(outcome.StageId, d => _optionals.Blocks(outcome.StageId, d));
        // An item that failed leaves out only itself from a gather marked optional: true.
        else if (blocks && _plan.ById[outcome.StageId].Item is not null)
            _pending.Finished(outcome.StageId, d => !OptionalFailures.GathersOnlyOptionally(_plan, outcome.StageId, d));
        else _pending.Finished(outcome.StageId, blocks);
        work.Finished(outcome, _optionals.IsForgiven(outcome.StageId));
    }
}
