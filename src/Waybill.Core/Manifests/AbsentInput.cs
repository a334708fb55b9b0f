namespace Waybill.Core.Manifests;

/// <summary>An optional input the stage ran without, and why: its producer failed, was skipped or cancelled.</summary>
public sealed class AbsentInput
{
    public required string Name { get; set; }
    public string? FromStage { get; set; }
    public string? FromOutput { get; set; }
    public required string Reason { get; set; }
}
