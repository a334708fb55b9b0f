using System.Collections.Concurrent;
using Waybill.Core.Caching;
using Waybill.Core.Execution;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;

namespace Waybill.Cli.Output;

/// <summary>
/// Collects the run's decisions as they are made (from any thread), in stage order for printing: whether each stage ran
/// and why, without the previous manifest a decision read (a no-op rerun of 100,000 stage runs kept every one of them).
/// </summary>
internal sealed class DecisionLog : IProgress<(string StageId, StageDecision Decision)>
{
    private readonly ConcurrentDictionary<string, StageDecision> _decisions = new(StringComparer.Ordinal);

    public void Report((string StageId, StageDecision Decision) value) =>
        _decisions[value.StageId] = value.Decision.Previous is null ? value.Decision : value.Decision with { Previous = null };

    public StageDecision? For(string stageId) => _decisions.GetValueOrDefault(stageId);
}

/// <summary>
/// <c>--explain</c> and <c>--dry-run</c>: each stage with why it runs (ran) or is up to date, and, after a run, every try
/// of a stage that tried more than once.
/// </summary>
internal static class Explanation
{
    public static void Print(TextWriter output, IEnumerable<StageOutcome> stages, DecisionLog decisions, PipelineDefinition pipeline)
    {
        output.WriteLine();
        output.WriteLine("Why each stage ran or was skipped:");
        foreach (var stage in stages)
        {
            var id = stage.StageId;
            if (decisions.For(id) is not { } decision)
            {
                output.WriteLine($"  {id}  not run (an upstream stage failed or the run stopped first)");
                continue;
            }
            if (decision.Run && stage.Manifest.ReusedFrom is { } reused)
            {
                // Had to run in this job, and a run of another job (or an earlier one of this) had already done the work.
                Write(output, "  " + id, "restored from the result cache", decision with { Reasons = [$"{reused.Reason} (run {reused.Run})", .. decision.Reasons] });
                continue;
            }
            Write(output, "  " + id, decision.Run ? "ran" : "up to date", decision);
            if (decision.Run) WriteTries(output, new string(' ', id.Length + 2 + 2 + "ran".Length + 2), stage.Manifest.Tries, pipeline.Find(id));
        }
    }

    /// <summary>One line per try of a stage that tried more than once: which failed, why, and which one the result is.</summary>
    private static void WriteTries(TextWriter output, string indent, IReadOnlyList<StageTry>? tries, StageDefinition? stage)
    {
        if (tries is not { Count: > 1 }) return;
        var total = stage?.Controls.Retry is { } retry ? $" of {retry.Count + 1}" : "";
        foreach (var one in tries)
        {
            var verdict = one.Status == "success" ? "succeeded" : one.Status;
            var why = one.Error is null ? "" : ": " + LogText.EscapeControls(one.Error.ReplaceLineEndings(" "));
            output.WriteLine($"{indent}attempt {one.Try}{total} {verdict}{why}");
        }
    }

    public static void Write(TextWriter output, string head, string verdict, StageDecision decision)
    {
        var reasons = decision.Reasons.Select(r => r.StartsWith(StageDecision.UpToDate + ": ", StringComparison.Ordinal) ? r[(StageDecision.UpToDate.Length + 2)..] : r).ToList();
        output.WriteLine($"{head}  {verdict}: {reasons.FirstOrDefault()}");
        foreach (var more in reasons.Skip(1)) output.WriteLine($"{new string(' ', head.Length)}  {new string(' ', verdict.Length)}  {more}");
    }
}
