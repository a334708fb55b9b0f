namespace Waybill.Core.Jobs;

/// <summary>
/// Space set aside on the job's file system for the records of a failure: <c>.waybill/reserve</c>, allocated with
/// fallocate when a run starts and deleted when the disk fills, so the failed stage's manifest, the final job
/// manifest and the log lines that say what happened still fit. Deleted again when the run ends.
/// </summary>
public sealed class RecordReserve : IDisposable
{
    /// <summary>
    /// What the final records take: a job manifest is about 0.4 KiB per stage, the failed stage's manifest and the last
    /// log lines a few KiB; 256 KiB plus 1 KiB per stage leaves room for all of them twice (an atomic write holds the
    /// old and the new file at once).
    /// </summary>
    public static long SizeFor(int stageCount) => Math.Min(256 * 1024 + 1024L * stageCount, 16L * 1024 * 1024);

    private readonly string _path;
    private int _released;

    private RecordReserve(string path) => _path = path;

    public static string PathOf(JobLayout layout) => Path.Combine(layout.StateDir, "reserve");

    /// <exception cref="IOException">The space is not there (the disk is already full): nothing is left behind.</exception>
    public static RecordReserve Take(JobLayout layout, long bytes)
    {
        var path = PathOf(layout);
        // A reserve left by a killed run is replaced: its size may not fit this pipeline.
        File.Delete(path);
        // preallocationSize is posix_fallocate: the blocks are the file's own, and a full disk fails here and now.
        using (File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, bytes))
        {
        }
        return new RecordReserve(path);
    }

    /// <summary>Gives the space back to the file system; true the first time.</summary>
    public bool Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 1) return false;
        try
        {
            File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be freed; the records are tried anyway.
        }
        return true;
    }

    public void Dispose() => Release();
}
