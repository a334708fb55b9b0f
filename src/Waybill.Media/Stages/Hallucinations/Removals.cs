namespace Waybill.Media.Stages.Hallucinations;

/// <summary>Text taken out of the transcript: which rule, from which segment, when, and why.</summary>
public sealed record Removal(string Rule, int Segment, string Text, double Start, double End, string Reason);

/// <summary><c>09_hallucination_removal/removed.json</c>: the counts per rule, then every removal in time order.</summary>
public sealed class RemovalReport
{
    public Dictionary<string, int> Counts { get; init; } = [];
    public int RemovedWords { get; init; }
    public int RemovedSegments { get; init; }
    public List<Removal> Removals { get; init; } = [];
}
