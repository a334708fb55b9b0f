using System.Runtime.InteropServices;

namespace Waybill.Core.Processes;

/// <summary>struct timeval on 64-bit Linux.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timeval
{
    public long Seconds;
    public long Microseconds;

    public readonly TimeSpan ToTimeSpan() =>
        TimeSpan.FromTicks((Seconds * TimeSpan.TicksPerSecond) + (Microseconds * TimeSpan.TicksPerMicrosecond));
}
