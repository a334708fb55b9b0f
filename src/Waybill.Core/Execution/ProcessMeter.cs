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
        // One small unbuffered read: this runs once per stage, and a line reader costs several times more.
        Span<byte> buffer = stackalloc byte[4096];
        int length;
        try
        {
            using var handle = File.OpenHandle("/proc/self/status");
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (IOException)
        {
            return Environment.WorkingSet;
        }
        var text = buffer[..length];
        var at = text.IndexOf("VmHWM:"u8);
        if (at < 0) return Environment.WorkingSet;
        var rest = text[(at + 6)..];
        var end = rest.IndexOf("kB"u8);
        return end > 0 && long.TryParse(System.Text.Encoding.ASCII.GetString(rest[..end]).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var kib)
            ? kib * 1024
            : Environment.WorkingSet;
    }
}
