using Waybill.Core.Manifests;
using Waybill.Core.Secrets;

namespace Waybill.Core.Execution;

/// <summary>
/// The failures a run goes on after. An optional stage (<c>optional: true</c>, <c>on_failure: continue</c>) that fails
/// costs only its own branch: a dependent that reads one of its outputs as a required input is skipped ("upstream
/// failed: X (optional)"), and the same holds down that branch; a dependent that reads them only as optional inputs, or
/// waits for it with <c>after:</c>, runs without them. Neither the failure nor those skips fail the job, which ends
/// <c>success</c> with a warning naming each failed optional stage. A full disk or a cancellation is never forgiven.
/// </summary>
internal sealed class OptionalFailures(ExecutionPlan plan)
{
    // Stage → the failed optional stage whose branch it is in (itself for that stage).
    private readonly Dictionary<string, string> _branchOf = new(StringComparer.Ordinal);
    private readonly List<(string StageId, string? Reason)> _failed = [];

    /// <summary>True, and remembered, when <paramref name="outcome"/> is the failure of an optional stage.</summary>
    public bool Forgive(StageOutcome outcome)
    {
        if (outcome.Status != StageStatus.Failed || !plan.ById[outcome.StageId].Controls.Optional) return false;
        _branchOf[outcome.StageId] = outcome.StageId;
        _failed.Add((outcome.StageId, outcome.Reason));
        return true;
    }

    /// <summary>A stage skipped because <paramref name="blocker"/> could not give it its inputs joins the blocker's branch.</summary>
    public void Inherit(string stageId, string blocker)
    {
        if (_branchOf.TryGetValue(blocker, out var root)) _branchOf[stageId] = root;
    }

    public bool IsForgiven(string stageId) => _failed.Exists(f => f.StageId == stageId);

    /// <summary>True for a failed optional stage and for the stages skipped because of it.</summary>
    public bool InBranch(string stageId) => _branchOf.ContainsKey(stageId);

    /// <summary>How a skip names the stage behind it: "X (optional)" for an optional stage's branch.</summary>
    public string Label(string blocker) => _branchOf.TryGetValue(blocker, out var root) ? $"{root} (optional)" : blocker;

    /// <summary>Whether <paramref name="dependent"/> needs an output of <paramref name="producer"/> (a stage of a branch).</summary>
    public bool Blocks(string producer, string dependent) =>
        plan.ById[dependent].Inputs.Any(i => !i.Optional && i.FromStage is { } from && IdOf(from) == producer);

    /// <summary>
    /// Whether <paramref name="dependent"/> reads <paramref name="producer"/> (an item) only through gathers marked
    /// <c>optional: true</c>: it then runs with the other items, whether or not the producer's stage is optional. A per-item
    /// follower is not spared this way: the item's chain ends where it failed, as for any stage that is not optional.
    /// </summary>
    public static bool GathersOnlyOptionally(ExecutionPlan plan, string producer, string dependent)
    {
        var reads = plan.ById[dependent].Inputs.Where(i => i.FromStage == producer).ToList();
        return reads.Count > 0 && reads.TrueForAll(i => i.Optional && i.GatherName is not null)
            && !plan.ById[dependent].After.Contains(producer, StringComparer.Ordinal);
    }

    public int Count => _failed.Count;

    /// <summary>One line for the pipeline log's last line, or null: "optional stage failed: 10_translation (reason)".</summary>
    public string? Summary(Redactor redactor) => _failed.Count == 0 ? null
        : (_failed.Count == 1 ? "optional stage failed: " : "optional stages failed: ")
            + string.Join(", ", _failed.Select(f => $"{f.StageId} ({redactor.Redact(f.Reason ?? "no reason recorded")})"));

    /// <summary>The job manifest's warnings: one per failed optional stage, with the stages its failure skipped.</summary>
    public List<JobWarning>? Warnings(Redactor redactor)
    {
        if (_failed.Count == 0) return null;
        return [.. _failed.Select(f => new JobWarning
        {
            StageId = f.StageId,
            Message = Message(f.StageId, f.Reason, redactor),
            Skipped = SkippedBy(f.StageId) is { Count: > 0 } skipped ? skipped : null,
        })];
    }

    private List<string> SkippedBy(string failed) =>
        [.. plan.Order.Select(s => s.Id).Where(id => id != failed && _branchOf.GetValueOrDefault(id) == failed)];

    /// <summary>The events' job_finished warnings.</summary>
    public IReadOnlyList<string>? Messages(Redactor redactor) =>
        _failed.Count == 0 ? null : [.. _failed.Select(f => Message(f.StageId, f.Reason, redactor))];

    private static string Message(string stageId, string? reason, Redactor redactor) =>
        $"optional stage {stageId} failed: {redactor.Redact(reason ?? "no reason recorded")}";

    private string IdOf(string idOrName) => plan.ById.ContainsKey(idOrName) ? idOrName : plan.Pipeline.Find(idOrName)?.Id ?? idOrName;
}
