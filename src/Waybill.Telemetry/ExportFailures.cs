namespace Waybill.Telemetry;

/// <summary>
/// The exporters' requests and those that failed, with the last reason, counted across their threads: the SDK reports
/// export failures only to its own event source, and a run owes its user one warning when its trace did not arrive.
/// </summary>
internal sealed class ExportFailures
{
    private long _requests;
    private long _failed;
    private string? _reason;

    public long Requests => Interlocked.Read(ref _requests);

    public long Failed => Interlocked.Read(ref _failed);

    public string? Reason => Volatile.Read(ref _reason);

    public void Sent() => Interlocked.Increment(ref _requests);

    public void Add(string reason)
    {
        Interlocked.Increment(ref _failed);
        Volatile.Write(ref _reason, reason);
    }
}
