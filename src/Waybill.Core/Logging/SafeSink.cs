namespace Waybill.Core.Logging;

/// <summary>Wraps a sink so that its failure is reported once and never reaches the stage that logged.</summary>
public sealed class SafeSink(ILogSink inner) : ILogSink
{
    private volatile bool _broken;

    public ILogSink Inner { get; } = inner;

    public void Emit(LogEvent logEvent)
    {
        if (_broken) return;
        try
        {
            Inner.Emit(logEvent);
        }
#pragma warning disable CA1031 // A sink may fail in any way; none of them may stop the stage.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _broken = true;
            SinkFailure.Report(Inner, e);
        }
    }
}
