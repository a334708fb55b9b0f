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
    private static readonly Func<string, bool> Blocks = _ => true;
    private static readonly Func<string, bool> Frees = _ => false;

    // Stages that have their outcome, with which dependents it blocks: what a stage added later meets.
    private readonly Dictionary<string, Func<string, bool>> _done = new(StringComparer.Ordinal);
    // Every stage this run was given (pending, started or done): a dependency outside it is not waited for when added later.
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public PendingStages(ExecutionPlan plan, IEnumerable<string> stageIds)
    {
        _plan = plan;
        foreach (var id in stageIds)
        {
            _known.Add(id);
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

    /// <summary>
    /// A stage run added to the plan after the run started (see <see cref="ExecutionPlan.Add"/>): it waits for those of its
    /// dependencies that are still pending or running; one that already failed blocks it at once; a dependency this run
    /// never had (not selected) is not waited for.
    /// </summary>
    public void Add(string stageId)
    {
        if (!_known.Add(stageId)) throw new ArgumentException($"stage {stageId} is pending already", nameof(stageId));
        _unfinished[stageId] = 0;
        _ready.Add(_plan.PositionOf(stageId));
        AddDependencies(stageId, _plan.Dependencies[stageId]);
    }

    /// <summary>The pending stages waiting for <paramref name="stageId"/>.</summary>
    public IReadOnlyList<string> DependentsOf(string stageId) =>
        _dependents.TryGetValue(stageId, out var list) ? [.. list.Where(_unfinished.ContainsKey)] : [];

    /// <summary>
    /// A pending stage also waits for <paramref name="dependencies"/> (the item runs of a fan-out it waited for, or its
    /// own when it is added): those still pending or running; one that already failed blocks it at once.
    /// </summary>
    public void AddDependencies(string stageId, IEnumerable<string> dependencies)
    {
        if (!_unfinished.TryGetValue(stageId, out var count)) return;
        var position = _plan.PositionOf(stageId);
        foreach (var dependency in dependencies)
        {
            if (_done.TryGetValue(dependency, out var blocks))
            {
                if (blocks(stageId) && _blockedBy.TryAdd(stageId, dependency))
                {
                    _ready.Remove(position);
                    _doomed.Add(position);
                }
                continue;
            }
            if (!_known.Contains(dependency)) continue;
            count++;
            if (!_dependents.TryGetValue(dependency, out var list)) _dependents[dependency] = list = [];
            list.Add(stageId);
        }
        _unfinished[stageId] = count;
        if (count > 0) _ready.Remove(position);
    }

    /// <summary>The pending stages in plan order.</summary>
    public IEnumerable<string> InOrder() => _plan.Order.Select(s => s.Id).Where(_unfinished.ContainsKey);

    /// <summary>Takes the first stage, in plan order, whose dependencies are all finished and none of them failed.</summary>
    public bool TryTakeReady(out string stageId) => TryTake(_ready, out stageId);

    /// <summary>The stages that may start now, in plan order (for a choice by resources: see <see cref="Resources.StartQueue"/>).</summary>
    public IEnumerable<string> Ready => _ready.Select(position => _plan.Order[position - 1].Id);

    /// <summary>The first of <see cref="Ready"/>; null when none is ready. Read without walking the set.</summary>
    public string? FirstReady => _ready.Count == 0 ? null : _plan.Order[_ready.Min - 1].Id;

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
    public void Finished(string stageId, bool blocksDependents) => Finished(stageId, blocksDependents ? Blocks : Frees);

    /// <summary>A stage has its outcome; <paramref name="blocks"/> says which of its dependents can no longer run.</summary>
    public void Finished(string stageId, Func<string, bool> blocks)
    {
        _done[stageId] = blocks;
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
