namespace Waybill.Catalog;

/// <summary>One row of <c>jobs</c>: a job folder as its last run left it.</summary>
internal sealed record JobRow(string JobDir, string JobId, string? Pipeline, string? RunId, string Status, DateTimeOffset? Started,
    DateTimeOffset? Finished, double DurationSeconds, string? Host, string? WaybillVersion);
