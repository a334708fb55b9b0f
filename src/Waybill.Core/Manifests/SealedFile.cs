namespace Waybill.Core.Manifests;

/// <summary>A job-level file (metadata.json, the pipeline snapshot) as the run wrote it: <c>waybill verify</c> reports any later edit.</summary>
public sealed class SealedFile
{
    /// <summary>Relative to the job folder, with forward slashes.</summary>
    public required string Path { get; set; }
    public long SizeBytes { get; set; }
    public required string Checksum { get; set; }
}
