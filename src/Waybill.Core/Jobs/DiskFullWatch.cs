using Waybill.Core.IO;

namespace Waybill.Core.Jobs;

/// <summary>
/// A run's answer to a full disk. The first writer that meets ENOSPC (a log, a manifest, a stage whose command says
/// "No space left on device") frees the <see cref="RecordReserve"/> and retries once; the orchestrator then says
/// "no space left on &lt;mount point&gt;" once, starts no more stages and records the failure in the space freed.
/// Writers call it from inside their own locks, so it only frees and remembers; the orchestrator does the telling.
/// </summary>
public sealed class DiskFullWatch(RecordReserve? reserve, string jobRoot)
{
    private string? _message;
    private int _announced;

    /// <summary>"no space left on /mnt/data (ext4, 0 bytes free of 2.0 GiB)" once the disk filled; null until then.</summary>
    public string? Message => Volatile.Read(ref _message);

    /// <summary>
    /// For a writer whose write failed: true when the failure was the disk filling up and space was freed just now,
    /// so one retry may succeed. Any other failure, or a second full disk, is false: the writer gives up as before.
    /// </summary>
    /// <param name="records">A manifest: it may also have the last part of the reserve, kept from the logs.</param>
    public bool FreeSpace(Exception error, string? path = null, bool records = false)
    {
        if (!FileSystemErrors.IsDiskFull(error)) return false;
        Remember(path ?? jobRoot);
        return reserve?.Release(records) ?? false;
    }

    /// <summary>For a stage that failed: true when what it reported says the disk is full (its command's own words).</summary>
    public bool FreeSpaceIfFull(IEnumerable<string?> problems)
    {
        if (!problems.Any(FileSystemErrors.IsDiskFullText)) return false;
        Remember(jobRoot);
        reserve?.Release();
        return true;
    }

    /// <summary>The message, the first time it is asked for after the disk filled; null before and after.</summary>
    public string? TakeAnnouncement() =>
        Message is { } message && Interlocked.Exchange(ref _announced, 1) == 0 ? message : null;

    // Described before the reserve goes back, so the free space it names is what the writer met.
    private void Remember(string path)
    {
        if (Volatile.Read(ref _message) is not null) return;
        Interlocked.CompareExchange(ref _message, FileSystemErrors.NoSpaceOn(Directory.Exists(path) ? path : Path.GetDirectoryName(path) ?? path),
            null);
    }
}
