namespace Waybill.Core.Integrity;

/// <summary>A file's checksum, or why it could not be read.</summary>
public sealed record HashOutcome(string? Checksum, string? Error)
{
    public bool Succeeded => Checksum is not null;
}
