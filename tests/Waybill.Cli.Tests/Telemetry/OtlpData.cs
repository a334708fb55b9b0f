namespace Waybill.Cli.Tests.Telemetry;

/// <summary>A span as OTLP carries it (opentelemetry/proto/trace/v1/trace.proto): ids, name, attributes, status code.</summary>
internal sealed record OtlpSpan(string TraceId, string SpanId, string? ParentSpanId, string Name, IReadOnlyDictionary<string, object?> Attributes,
    int StatusCode, string? StatusMessage, ulong StartNanos, ulong EndNanos);

/// <summary>A log record (opentelemetry/proto/logs/v1/logs.proto): body, severity, attributes and the span it belongs to.</summary>
internal sealed record OtlpLog(string? Body, string? Severity, string? TraceId, string? SpanId, string Scope, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>Reads ExportTraceServiceRequest and ExportLogsServiceRequest bodies, field numbers as the OTLP protos give them.</summary>
internal static class OtlpData
{
    public static IEnumerable<OtlpSpan> Spans(byte[] body) =>
        from resourceSpans in new ProtoMessage(body).Messages(1)
        from scopeSpans in resourceSpans.Messages(2)
        from span in scopeSpans.Messages(2)
        select new OtlpSpan(span.Hex(1)!, span.Hex(2)!, span.Hex(4), span.Text(5)!, Attributes(span, 9),
            (int)(span.Message(15)?.Scalar(3) ?? 0), span.Message(15)?.Text(2), span.Scalar(7) ?? 0, span.Scalar(8) ?? 0);

    public static IEnumerable<OtlpLog> Logs(byte[] body) =>
        from resourceLogs in new ProtoMessage(body).Messages(1)
        from scopeLogs in resourceLogs.Messages(2)
        from record in scopeLogs.Messages(2)
        select new OtlpLog(record.Message(5) is { } value ? Value(value) as string : null, record.Text(3), record.Hex(9), record.Hex(10),
            scopeLogs.Message(1)?.Text(1) ?? "", Attributes(record, 6));

    /// <summary>The service name and other resource attributes of the first resource in a request.</summary>
    public static IReadOnlyDictionary<string, object?> Resource(byte[] body) =>
        new ProtoMessage(body).Message(1)?.Message(1) is { } resource ? Attributes(resource, 1) : new Dictionary<string, object?>();

    private static Dictionary<string, object?> Attributes(ProtoMessage message, int field) =>
        message.Messages(field).ToDictionary(kv => kv.Text(1)!, kv => kv.Message(2) is { } value ? Value(value) : null, StringComparer.Ordinal);

    /// <summary>AnyValue: string 1, bool 2, int64 3, double 4, array 5.</summary>
    private static object? Value(ProtoMessage value)
    {
        if (value.Text(1) is { } text) return text;
        if (value.Scalar(2) is { } flag) return flag != 0;
        if (value.Scalar(3) is { } integer) return (long)integer;
        if (value.Scalar(4) is { } bits) return BitConverter.UInt64BitsToDouble(bits);
        if (value.Message(5) is { } array) return array.Messages(1).Select(Value).ToArray();
        return null;
    }
}
