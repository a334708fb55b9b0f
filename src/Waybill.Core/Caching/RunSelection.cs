using Waybill.Core.Execution;
using Waybill.Core.Pipeline;
using Waybill.Core.Pipeline.FanOut;

namespace Waybill.Core.Caching;

/// <summary>Which stages a run considers (<c>--until</c>) and which it runs whatever their fingerprint (<c>--force</c>, <c>--from</c>).</summary>
public sealed class RunSelection
{
    private readonly HashSet<string>? _included;
    private readonly Dictionary<string, string> _forced = new(StringComparer.Ordinal);

    private RunSelection(HashSet<string>? included) => _included = included;

    /// <summary>One line for the pipeline log, or null when every stage is considered and none forced.</summary>
    public string? Description { get; private set; }

    public bool Includes(string stageId) => _included is null || _included.Contains(stageId);

    /// <summary>Why the stage is forced to run, or null.</summary>
    public string? ForcedBecause(string stageId) =>
        _forced.GetValueOrDefault(stageId)
        // An item a dynamic fan-out found during the run is forced with its stage (--force 02_x, --from upstream, all).
        ?? (ItemKeys.TrySplit(stageId, out var stage, out _) ? _forced.GetValueOrDefault(stage) : null);

    /// <summary>
    /// A fan-out stage named plainly (<c>06_asr</c>, <c>asr</c>) selects all its items; an item (<c>06_asr[ep-01]</c>) only that item.
    /// </summary>
    /// <exception cref="PipelineInvalidException">A named stage or item does not exist.</exception>
    public static RunSelection Resolve(ExecutionPlan plan, IReadOnlyList<string> force, string? from, string? until)
    {
        HashSet<string>? included = null;
        var parts = new List<string>();
        var refs = plan.Order.Select(s => new StageRef(s.Id, s.Name, s.IsFanOut)).ToList();
        Dictionary<string, List<string>>? dependents = null;
        if (until is not null)
        {
            var (label, targets) = Find(refs, until, "--until");
            if (targets.FirstOrDefault(t => !plan.Dependencies.ContainsKey(t)) is { } unknown)
            {
                var stage = ItemKeys.TrySplit(unknown, out var template, out _) ? template : unknown;
                throw new PipelineInvalidException(new PipelineError($"{until}: the items of this fan-out are known only once it has read its list",
                    Field: "--until", Hint: $"give --until the stage itself ({stage})"));
            }
            included = Closure(targets, id => plan.Dependencies[id]);
            parts.Add($"--until {label}: {included.Count} of {plan.Order.Count} stages");
        }
        var selection = new RunSelection(included);
        if (from is not null)
        {
            var (label, starts) = Find(refs, from, "--from");
            dependents ??= Dependents(plan);
            var first = starts.ToHashSet(StringComparer.Ordinal);
            foreach (var id in Closure(starts, id => dependents.GetValueOrDefault(id) ?? []))
                selection._forced[id] = first.Contains(id) ? "forced (--from " + label + ")" : $"forced (downstream of --from {label})";
            parts.Add($"--from {label}");
        }
        foreach (var name in force)
        {
            if (name == "all")
            {
                foreach (var stage in plan.Order) selection._forced[stage.Id] = "forced (--force all)";
                parts.Add("--force all");
                continue;
            }
            var (label, ids) = Find(refs, name, "--force");
            foreach (var id in ids) selection._forced[id] = $"forced (--force {label})";
            parts.Add($"--force {label}");
        }
        if (parts.Count > 0) selection.Description = string.Join(", ", parts);
        return selection;
    }

    /// <summary>The stage runs a name stands for, and how to name them in reasons: the id, or <c>06_asr[*]</c> for all items.</summary>
    private static (string Label, List<string> Ids) Find(List<StageRef> refs, string name, string option)
    {
        var match = StageAddress.Resolve(refs, name);
        if (match.Problem is not null)
        {
            var problem = match.UnknownStage ? $"{option} {name}: the pipeline has no such stage" : $"{name}: {match.Problem}";
            throw new PipelineInvalidException(new PipelineError(problem, Field: option, Hint: match.Hint));
        }
        var label = match.FanOut is { } fanOut && match.Ids.Count > 1 ? fanOut + "[*]" : match.Ids[0];
        return (label, [.. match.Ids]);
    }

    /// <summary>For each stage, the stages that depend on it: built once, so a closure is linear in the stage runs.</summary>
    private static Dictionary<string, List<string>> Dependents(ExecutionPlan plan)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var stage in plan.Order)
            foreach (var dependency in plan.Dependencies[stage.Id])
            {
                if (!result.TryGetValue(dependency, out var list)) result[dependency] = list = [];
                list.Add(stage.Id);
            }
        return result;
    }

    /// <summary>The starting stages with everything reachable through <paramref name="next"/>.</summary>
    private static HashSet<string> Closure(IEnumerable<string> starts, Func<string, IEnumerable<string>> next)
    {
        var result = new HashSet<string>(starts, StringComparer.Ordinal);
        var queue = new Queue<string>(result);
        while (queue.Count > 0)
            foreach (var other in next(queue.Dequeue()))
                if (result.Add(other)) queue.Enqueue(other);
        return result;
    }
}
