namespace Waybill.Core.Lineage;

/// <summary>One file, by the path its manifests record: relative to the job folder, or absolute when external.</summary>
public sealed class FileNode : LineageNode
{
    public required string Path { get; init; }
    /// <summary>"job" or "external", as in the manifest.</summary>
    public required string Location { get; init; }
    public string? Type { get; set; }
    public string? Checksum { get; set; }
    public long? SizeBytes { get; set; }
    /// <summary>A retained intermediate file rather than a declared output.</summary>
    public bool IsIntermediate { get; set; }
    /// <summary>Tombstone: <c>waybill clean</c> deleted the file; checksum and size are as they were.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
    public string? DeletedReason { get; set; }

    public bool IsExternal => Location == "external";
    public bool IsDeleted => DeletedAt is not null;

    public override string Label => Path;
}
