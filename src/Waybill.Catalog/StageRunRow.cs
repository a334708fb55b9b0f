namespace Waybill.Catalog;

/// <summary>One row of <c>stage_runs</c> and its errors and warnings: a stage (or item) of a job as its manifest records it.</summary>
internal sealed record StageRunRow
{
    public required string StageId { get; init; }
    public required string Stage { get; init; }
    public int StageNumber { get; init; }
    public string? ItemKey { get; init; }
    public string? RunId { get; init; }
    public int Attempt { get; init; } = 1;
    public required string Status { get; init; }
    public string? StatusReason { get; init; }
    public string? Kind { get; init; }
    public DateTimeOffset? Started { get; init; }
    public DateTimeOffset? Finished { get; init; }
    public double DurationSeconds { get; init; }
    public double? CpuSeconds { get; init; }
    public double? PeakRssMb { get; init; }
    public long? ReadBytes { get; init; }
    public long? WriteBytes { get; init; }
    public double? CostTotal { get; init; }
    public string? Currency { get; init; }
    public string? Host { get; init; }
    public int? ExitCode { get; init; }
    public string? ManifestPath { get; init; }
    /// <summary>The figures the manifest marks as not the stage's own (<c>cpu,peak_rss</c>): their columns are left empty.</summary>
    public string? Shared { get; init; }
    /// <summary>An in-process stage's own code's CPU time (<c>resources.code_cpu_seconds</c>); null for command stages.</summary>
    public double? CodeCpuSeconds { get; init; }
    /// <summary>A run restored from the result cache: the job and stage that did the work (<c>ep01/06_asr</c>).</summary>
    public string? ReusedFrom { get; init; }
    public IReadOnlyList<ProblemRow> Errors { get; init; } = [];
    public IReadOnlyList<ProblemRow> Warnings { get; init; } = [];
}
