namespace Waybill.Core.Jobs;

/// <summary>
/// Space set aside on the job's file system for the records of a failure, allocated with fallocate when a run starts:
/// <c>.waybill/reserve</c> is given back to the first writer that meets a full disk (the logs, a stage manifest), and
/// <c>.waybill/reserve.final</c> only to a manifest that still does not fit, so the job manifest can always say
/// <c>failed</c> however much log the failure produced. Both are deleted when the run ends.
/// </summary>
public sealed class RecordReserve : IDisposable
{
    /// <summary>
    /// Each of the two parts: a job manifest is about 0.5 KiB per stage, a stage manifest and the last log lines a few
    /// KiB; 256 KiB plus 1 KiB per stage leaves room for them twice over (an atomic write holds the old and the new file).
    /// </summary>
    public static long SizeFor(int stageCount) => Math.Min(256 * 1024 + 1024L * stageCount, 16L * 1024 * 1024);

    private readonly string _first;
    private readonly string _last;
    private int _released;

    private RecordReserve(string first, string last)
    {
        _first = first;
        _last = last;
    }

    public static string PathOf(JobLayout layout) => Path.Combine(layout.StateDir, "reserve");

    /// <summary>Both parts, <paramref name="bytes"/> each.</summary>
    /// <exception cref="IOException">The space is not there (the disk is already full): nothing is left behind.</exception>
    public static RecordReserve Take(JobLayout layout, long bytes)
    {
        var first = PathOf(layout);
        var last = first + ".final";
        try
        {
            Allocate(first, bytes);
            Allocate(last, bytes);
        }
        catch
        {
            Delete(first);
            throw;
        }
        return new RecordReserve(first, last);
    }

    // preallocationSize is posix_fallocate: the blocks are the file's own, and a full disk fails here and now.
    // A reserve left by a killed run is replaced: its size may not fit this pipeline.
    private static void Allocate(string path, long bytes)
    {
        Delete(path);
        using (File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, bytes))
        {
        }
    }

    /// <summary>
    /// Gives back the next part: the first for anyone, the last only for <paramref name="records"/> (a manifest). True when space was freed.
    /// </summary>
    public bool Release(bool records = false)
    {
        if (Interlocked.CompareExchange(ref _released, 1, 0) == 0)
        {
            Delete(_first);
            return true;
        }
        if (records && Interlocked.CompareExchange(ref _released, 2, 1) == 1)
        {
            Delete(_last);
            return true;
        }
        return false;
    }

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be freed; the records are tried anyway.
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _released, 2);
        Delete(_first);
        Delete(_last);
    }
}
