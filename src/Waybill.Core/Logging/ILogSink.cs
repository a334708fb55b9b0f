namespace Waybill.Core.Logging;

/// <summary>Somewhere log events go. One verb; a sink decides nothing about routing.</summary>
public interface ILogSink
{
    void Emit(LogEvent logEvent);
}
