namespace Waybill.Core.Execution;

/// <summary>This process's own CPU time and peak memory, for stages that run in-process.</summary>
internal static class ProcessMeter
{
    /// <summary>User and system CPU time and the peak resident set in bytes, from one getrusage call.</summary>
    public static unsafe (TimeSpan User, TimeSpan System, long PeakRssBytes) Read()
    {
        Processes.Rusage usage;
        if (Processes.LibC.GetRusage(Processes.LibC.RusageSelf, &usage) != 0)
        {
            var fallback = Environment.CpuUsage;
            return (fallback.UserTime, fallback.PrivilegedTime, Environment.WorkingSet);
        }
        return (usage.UserTime.ToTimeSpan(), usage.SystemTime.ToTimeSpan(), usage.MaxRssKiB * 1024);
    }
}
