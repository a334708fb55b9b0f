using System.Collections;
using Waybill.Core.Logging;

namespace Waybill.Telemetry;

/// <summary>
/// A Waybill log event as the OpenTelemetry logger reads it: the message as the body (<c>{OriginalFormat}</c>, taken
/// verbatim: no template is parsed), the stage id and the exception text, secrets already masked.
/// </summary>
internal sealed class LogRecordState(LogEvent logEvent) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _pairs = Pairs(logEvent);

    public static readonly Func<LogRecordState, Exception?, string> Format = static (state, _) => state.Message;

    public string Message => logEvent.Message;

    public int Count => _pairs.Length;

    public KeyValuePair<string, object?> this[int index] => _pairs[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static KeyValuePair<string, object?>[] Pairs(LogEvent e)
    {
        var pairs = new List<KeyValuePair<string, object?>>(3);
        if (e.StageId is not null) pairs.Add(new("waybill.stage_id", e.StageId));
        if (e.ExceptionText is not null) pairs.Add(new("exception.stacktrace", e.ExceptionText));
        pairs.Add(new("{OriginalFormat}", e.Message));
        return [.. pairs];
    }
}
