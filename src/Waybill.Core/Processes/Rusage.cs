using System.Runtime.InteropServices;

namespace Waybill.Core.Processes;

/// <summary>struct rusage on 64-bit Linux: two timevals followed by fourteen longs (144 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Rusage
{
    public Timeval UserTime;
    public Timeval SystemTime;
    public long MaxRssKiB;
    public long IxRss;
    public long IdRss;
    public long IsRss;
    public long MinorFaults;
    public long MajorFaults;
    public long Swaps;
    public long BlockInputs;
    public long BlockOutputs;
    public long MessagesSent;
    public long MessagesReceived;
    public long Signals;
    public long VoluntaryContextSwitches;
    public long InvoluntaryContextSwitches;
}
