namespace Waybill.Core.Retention;

/// <summary>A file clean deleted (or, in a dry run, would delete). <paramref name="BytesFreed"/> is 0 for one already gone or a symbolic link.</summary>
public sealed record CleanedFile(string StageId, string Path, long BytesFreed, long? RecordedSize, string? Checksum, bool AlreadyMissing);

/// <summary>A selected file clean leaves alone, and why (it lies outside the job folder).</summary>
public sealed record KeptFile(string StageId, string Path, string Why);

/// <summary>A file clean tried to delete and could not; its record is left as it was.</summary>
public sealed record FailedFile(string StageId, string Path, string Error);

public sealed class CleanResult(bool dryRun, IReadOnlyList<CleanedFile> deleted, IReadOnlyList<KeptFile> kept, IReadOnlyList<FailedFile> failed)
{
    public bool DryRun { get; } = dryRun;
    public IReadOnlyList<CleanedFile> Deleted { get; } = deleted;
    public IReadOnlyList<KeptFile> Kept { get; } = kept;
    public IReadOnlyList<FailedFile> Failed { get; } = failed;
    public long BytesFreed => Deleted.Sum(d => d.BytesFreed);
}

/// <summary>Clean will not start: a stage is unknown, or a recorded path is not safe to delete. Nothing was deleted.</summary>
public sealed class CleanRefusedException(string message, string? hint = null) : Exception(message)
{
    public string? Hint { get; } = hint;
}
