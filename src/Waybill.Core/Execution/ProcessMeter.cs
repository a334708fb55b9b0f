using System.Globalization;

namespace Waybill.Core.Execution;

/// <summary>This process's own CPU time and peak memory, for stages that run in-process.</summary>
internal static class ProcessMeter
{
    public static (TimeSpan User, TimeSpan System) Cpu()
    {
        var usage = Environment.CpuUsage;
        return (usage.UserTime, usage.PrivilegedTime);
    }

    /// <summary>VmHWM from /proc/self/status: the process's peak resident set, in bytes.</summary>
    public static long PeakRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var digits = line.AsSpan(6).Trim().TrimEnd(" kB").Trim();
                return long.Parse(digits, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        return Environment.WorkingSet;
    }
}
