namespace Waybill.Benchmarks;

/// <summary>
/// The folders the file-system benchmarks write to: a tmpfs one and a disk one. Override with
/// WAYBILL_BENCH_TMPFS and WAYBILL_BENCH_DISK; set either to "-" to leave that file system out.
/// </summary>
public static class BenchDirs
{
    public static string Tmpfs => Environment.GetEnvironmentVariable("WAYBILL_BENCH_TMPFS") ?? "/dev/shm/waybill-bench";

    public static string Disk => Environment.GetEnvironmentVariable("WAYBILL_BENCH_DISK") ?? Path.Combine(Path.GetTempPath(), "waybill-bench");

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

    public static void Remove(string dir)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
}
