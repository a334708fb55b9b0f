using Waybill.Core.Execution;
using Waybill.Core.Pipeline;

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
    public string? ForcedBecause(string stageId) => _forced.GetValueOrDefault(stageId);

    /// <exception cref="PipelineInvalidException">A named stage does not exist.</exception>
    public static RunSelection Resolve(ExecutionPlan plan, IReadOnlyList<string> force, string? from, string? until)
    {
        HashSet<string>? included = null;
        var parts = new List<string>();
        if (until is not null)
        {
            var target = Find(plan, until, "--until");
            included = Closure(plan, target, upstream: true);
            parts.Add($"--until {target}: {included.Count} of {plan.Order.Count} stages");
        }
        var selection = new RunSelection(included);
        if (from is not null)
        {
            var start = Find(plan, from, "--from");
            foreach (var id in Closure(plan, start, upstream: false))
                selection._forced[id] = id == start ? "forced (--from " + start + ")" : $"forced (downstream of --from {start})";
            parts.Add($"--from {start}");
        }
        foreach (var name in force)
        {
            if (name == "all")
            {
                foreach (var stage in plan.Order) selection._forced[stage.Id] = "forced (--force all)";
                parts.Add("--force all");
                continue;
            }
            var id = Find(plan, name, "--force");
            selection._forced[id] = $"forced (--force {id})";
            parts.Add($"--force {id}");
        }
        if (parts.Count > 0) selection.Description = string.Join(", ", parts);
        return selection;
    }

    private static string Find(ExecutionPlan plan, string name, string option) =>
        plan.Pipeline.Find(name)?.Id ?? throw new PipelineInvalidException(new PipelineError(
            $"{option} {name}: the pipeline has no such stage", Field: option, Hint: $"stages are: {string.Join(", ", plan.Order.Select(s => s.Id))}"));

    /// <summary>The stage with everything it depends on (upstream) or everything that depends on it (downstream).</summary>
    private static HashSet<string> Closure(ExecutionPlan plan, string start, bool upstream)
    {
        var result = new HashSet<string>(StringComparer.Ordinal) { start };
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var id = queue.Dequeue();
            var next = upstream ? plan.Dependencies[id] : plan.Order.Where(s => plan.Dependencies[s.Id].Contains(id)).Select(s => s.Id);
            foreach (var other in next)
                if (result.Add(other)) queue.Enqueue(other);
        }
        return result;
    }
}
