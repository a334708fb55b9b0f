namespace Waybill.Core.Logging;

/// <summary>Plain lines to a writer such as the console when it is piped.</summary>
public sealed class TextWriterSink(TextWriter writer) : ILogSink
{
    private readonly Lock _gate = new();

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            writer.WriteLine(logEvent.Line);
        }
    }
}
