namespace Waybill.Core.Reports;

/// <summary>The run of the job before the reported one, as its part of <c>logs/events.jsonl</c> recorded it.</summary>
internal sealed class PreviousRun
{
    public required string RunId { get; init; }
    public DateTimeOffset? Started { get; set; }
    public string? Status { get; set; }
    public double? DurationSeconds { get; set; }
    public Dictionary<string, PreviousStageRun> Stages { get; } = new(StringComparer.Ordinal);
}
