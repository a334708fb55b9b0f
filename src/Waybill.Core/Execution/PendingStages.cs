namespace Waybill.Core.Execution;

/// <summary>
/// The stages a run has yet to start, with how many of each one's dependencies are unfinished. The scheduler takes
/// the next stage that can start, or that must be skipped because a dependency failed, in plan order, without
/// scanning every pending stage each time one finishes (a run of thousands of stages would pay for that quadratically).
/// </summary>
internal sealed class PendingStages
{
    private readonly ExecutionPlan _plan;
    private readonly Dictionary<string, int> _unfinished = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _dependents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _blockedBy = new(StringComparer.Ordinal);
    private readonly SortedSet<int> _ready = [];
    private readonly SortedSet<int> _doomed = [];

    public PendingStages(ExecutionPlan plan, IEnumerable<string> stageIds)
    {
        _plan = plan;
        foreach (var id in stageIds)
        {
            var dependencies = plan.Dependencies[id];
            _unfinished[id] = dependencies.Count;
            foreach (var dependency in dependencies)
            {
                if (!_dependents.TryGetValue(dependency, out var list)) _dependents[dependency] = list = [];
                list.Add(id);
            }
            if (dependencies.Count == 0) _ready.Add(plan.PositionOf(id));
        }
    }

    public int Count => _unfinished.Count;

    /// <summary>The pending stages in plan order.</summary>
    public IEnumerable<string> InOrder() => _plan.Order.Select(s => s.Id).Where(_unfinished.ContainsKey);

    /// <summary>Takes the first stage, in plan order, whose dependencies are all finished and none of them failed.</summary>
    public bool TryTakeReady(out string stageId) => TryTake(_ready, out stageId);

    /// <summary>The stages that may start now, in plan order (for a choice by resources: see <see cref="Resources.StartQueue"/>).</summary>
    public IEnumerable<string> Ready => _ready.Select(position => _plan.Order[position - 1].Id);

    /// <summary>Takes a stage of <see cref="Ready"/>.</summary>
    public void Take(string stageId)
    {
        _ready.Remove(_plan.PositionOf(stageId));
        _unfinished.Remove(stageId);
    }

    /// <summary>Takes the first stage, in plan order, that a failed or cancelled dependency keeps from running.</summary>
    public bool TryTakeBlocked(out string stageId, out string blockedBy)
    {
        blockedBy = "";
        if (!TryTake(_doomed, out stageId)) return false;
        blockedBy = _blockedBy[stageId];
        return true;
    }

    /// <summary>
    /// A stage has its outcome. Its dependents count one dependency fewer; when <paramref name="blocksDependents"/>
    /// (it failed, was cancelled, or was skipped because its own upstream failed) they can no longer run.
    /// </summary>
    public void Finished(string stageId, bool blocksDependents) => Finished(stageId, _ => blocksDependents);

    /// <summary>A stage has its outcome; <paramref name="blocks"/> says which of its dependents can no longer run.</summary>
    public void Finished(string stageId, Func<string, bool> blocks)
    {
        if (_unfinished.Remove(stageId))
        {
            var position = _plan.PositionOf(stageId);
            _ready.Remove(position);
            _doomed.Remove(position);
        }
        if (!_dependents.TryGetValue(stageId, out var dependents)) return;
        foreach (var dependent in dependents)
        {
            if (!_unfinished.TryGetValue(dependent, out var count)) continue;
            _unfinished[dependent] = --count;
            var position = _plan.PositionOf(dependent);
            if (blocks(dependent) && _blockedBy.TryAdd(dependent, stageId))
            {
                _ready.Remove(position);
                _doomed.Add(position);
            }
            else if (count == 0 && !_blockedBy.ContainsKey(dependent)) _ready.Add(position);
        }
    }

    private bool TryTake(SortedSet<int> set, out string stageId)
    {
        stageId = "";
        if (set.Count == 0) return false;
        var position = set.Min;
        set.Remove(position);
        stageId = _plan.Order[position - 1].Id;
        _unfinished.Remove(stageId);
        return true;
    }
}
