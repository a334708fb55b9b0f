namespace Waybill.Benchmarks;

/// <summary>
/// The folders the file-system benchmarks write to: a tmpfs one and a disk one. Override with
/// WAYBILL_BENCH_TMPFS and WAYBILL_BENCH_DISK; set either to "-" to leave that file system out.
/// </summary>
public static class BenchDirs
{
    public static string Tmpfs => Environment.GetEnvironmentVariable("WAYBILL_BENCH_TMPFS") ?? "/dev/shm/waybill-bench";

    /// <summary>
    /// /var/tmp rather than /tmp: on a machine where other programs keep creating and deleting temporary folders in
    /// /tmp, ext4 makes every file creation there scan past recently deleted inodes, which would measure them, not Waybill.
    /// </summary>
    public static string Disk => Environment.GetEnvironmentVariable("WAYBILL_BENCH_DISK") ?? "/var/tmp/waybill-bench";

    /// <summary>The roots to run against, as benchmark parameters.</summary>
    public static IEnumerable<string> Roots() => new[] { Tmpfs, Disk }.Where(d => d != "-");

    /// <summary>A fresh, empty folder under <paramref name="root"/> for one benchmark class.</summary>
    public static string Fresh(string root, string name)
    {
        var dir = Path.Combine(root, name + "-" + Environment.ProcessId);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// Deletes a benchmark's folder: at once on tmpfs, at process exit elsewhere. On ext4, creating files soon after
    /// deleting many makes the kernel's inode allocator scan past the recently deleted inodes, which would slow the
    /// next disk benchmark of the same run.
    /// </summary>
    public static void Remove(string dir)
    {
        if (IsUnder(dir, Tmpfs))
        {
            Delete(dir);
            return;
        }
        lock (Deferred)
        {
            if (Deferred.Count == 0) AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteDeferred();
            Deferred.Add(dir);
        }
    }

    private static readonly List<string> Deferred = [];

    private static void DeleteDeferred()
    {
        lock (Deferred)
        {
            foreach (var dir in Deferred) Delete(dir);
            Deferred.Clear();
        }
    }

    private static bool IsUnder(string dir, string root) =>
        root != "-" && Path.GetFullPath(dir).StartsWith(Path.GetFullPath(root).TrimEnd('/') + "/", StringComparison.Ordinal);

    private static void Delete(string dir)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}
