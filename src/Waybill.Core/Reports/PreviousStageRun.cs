namespace Waybill.Core.Reports;

/// <summary>What the previous run of the job recorded for a stage in <c>logs/events.jsonl</c>.</summary>
internal sealed record PreviousStageRun(string Status, double DurationSeconds, string? Reason);
