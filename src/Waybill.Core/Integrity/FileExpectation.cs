using Waybill.Core.Manifests;

namespace Waybill.Core.Integrity;

/// <summary>
/// A recorded file verify compares with the disk: who recorded it, how it is named in messages
/// ("output 02_cut/part.txt"), how serious a difference is, and what a difference means for the job.
/// </summary>
internal sealed record FileExpectation(string? Stage, string Field, FileRecord Record, string Description, FindingSeverity Severity)
{
    /// <summary>Appended to a "changed" or "missing" message, e.g. "the job is sound but out of date".</summary>
    public string? Consequence { get; init; }
    public string? Hint { get; init; }
}
