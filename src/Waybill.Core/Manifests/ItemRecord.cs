namespace Waybill.Core.Manifests;

/// <summary>The fan-out item a stage run was for: its key (the folder), its value, and its file for <c>foreach: { files: … }</c>.</summary>
public sealed class ItemRecord
{
    public required string Key { get; set; }
    public required string Value { get; set; }
    public string? Path { get; set; }
}
