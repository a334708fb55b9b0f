using System.Collections.Concurrent;
using Waybill.Core.Caching;

namespace Waybill.Cli.Output;

/// <summary>Collects the run's decisions as they are made (from any thread), in stage order for printing.</summary>
internal sealed class DecisionLog : IProgress<(string StageId, StageDecision Decision)>
{
    private readonly ConcurrentDictionary<string, StageDecision> _decisions = new(StringComparer.Ordinal);

    public void Report((string StageId, StageDecision Decision) value) => _decisions[value.StageId] = value.Decision;

    public StageDecision? For(string stageId) => _decisions.GetValueOrDefault(stageId);
}

/// <summary><c>--explain</c> and <c>--dry-run</c>: each stage with why it runs (ran) or is up to date.</summary>
internal static class Explanation
{
    public static void Print(TextWriter output, IEnumerable<string> stageIds, DecisionLog decisions)
    {
        output.WriteLine();
        output.WriteLine("Why each stage ran or was skipped:");
        foreach (var id in stageIds)
        {
            if (decisions.For(id) is not { } decision)
            {
                output.WriteLine($"  {id}  not run (an upstream stage failed or the run stopped first)");
                continue;
            }
            Write(output, "  " + id, decision.Run ? "ran" : "up to date", decision);
        }
    }

    public static void Write(TextWriter output, string head, string verdict, StageDecision decision)
    {
        var reasons = decision.Reasons.Select(r => r.StartsWith(StageDecision.UpToDate + ": ", StringComparison.Ordinal) ? r[(StageDecision.UpToDate.Length + 2)..] : r).ToList();
        output.WriteLine($"{head}  {verdict}: {reasons.FirstOrDefault()}");
        foreach (var more in reasons.Skip(1)) output.WriteLine($"{new string(' ', head.Length)}  {new string(' ', verdict.Length)}  {more}");
    }
}
