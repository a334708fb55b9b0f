namespace Waybill.Core.Lineage;

/// <summary>A stage run, of this job or (when <see cref="IsOtherJob"/>) of a job linked to it by a file's checksum.</summary>
public sealed class StageNode : LineageNode
{
    public required string JobId { get; init; }
    public required string StageId { get; init; }
    public required string Name { get; init; }
    public required string Status { get; init; }
    public string? StatusReason { get; init; }
    public double? DurationSeconds { get; init; }
    public string? RunId { get; init; }
    public string? Kind { get; init; }
    public bool IsOtherJob { get; init; }
    /// <summary>Outputs restored from the result cache: "job ep01 stage 06_asr, run R" (see <c>reused_from</c> in its manifest).</summary>
    public string? ReusedFrom { get; init; }
    /// <summary>The other job's folder, for other-job stages.</summary>
    public string? JobRoot { get; init; }

    public override string Label => IsOtherJob ? $"{JobId}: {StageId}" : StageId;
}
