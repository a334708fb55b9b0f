using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Waybill.Core.Execution;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;

namespace Waybill.Telemetry;

/// <summary>
/// Exports a run over OTLP/HTTP with the OpenTelemetry SDK: one trace per run, a root span for the run and a child span per
/// stage run (fan-out items included) with its manifest's status, reasons, resources and cost; every log event of the run
/// as an OTLP log record tied to its stage's span. Export runs on the SDK's background threads; when the run ends the
/// observer waits at most the export timeout (plus one second) for the rest, and a collector that is down or slow costs
/// one warning in the pipeline log, never the run.
/// </summary>
internal sealed class OtlpRunObserver : IRunObserver, ILogSink, IDisposable
{
    /// <summary>The spans' instrumentation scope.</summary>
    public const string SourceName = "Waybill";
    // A failure's reason may quote what a stage printed or threw; the records mask it, and so must what leaves the machine.
    private Core.Secrets.Redactor? _redactor;

    // Spans and log records waiting for export; past this many the SDK drops the newest (a job of 100,000 stage runs sends
    // more than this only when its collector is slower than the run).
    private const int QueueSize = 65536;
    private const int BatchSize = 2048;
    private const int ScheduledDelayMs = 1000;

    private static readonly ActivitySource Source = new(SourceName, Core.Execution.RunServices.Version);

    private readonly TelemetrySettings _settings;
    private readonly ExportFailures _failures = new();
    private readonly BatchActivityExportProcessor _spans;
    private readonly BatchLogRecordExportProcessor _logRecords;
    private readonly TracerProvider _tracer;
    private readonly ILoggerFactory _loggers;
    private readonly ConcurrentDictionary<string, Activity> _stages = new(StringComparer.Ordinal);
    private Activity? _run;
    private ILogger? _pipelineLog;
    private volatile bool _closed;

    public OtlpRunObserver(TelemetrySettings settings)
    {
        _settings = settings;
        var resource = ResourceBuilder.CreateDefault();
        // OTEL_SERVICE_NAME (read by the default resource) names the service when set.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME")))
            resource.AddService("waybill", serviceVersion: Core.Execution.RunServices.Version);
        _spans = new BatchActivityExportProcessor(new OtlpTraceExporter(Options(settings.TracesEndpoint)),
            QueueSize, ScheduledDelayMs, (int)settings.ExportTimeout.TotalMilliseconds, BatchSize);
        _logRecords = new BatchLogRecordExportProcessor(new OtlpLogExporter(Options(settings.LogsEndpoint)),
            QueueSize, ScheduledDelayMs, (int)settings.ExportTimeout.TotalMilliseconds, BatchSize);
        _tracer = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(SourceName).AddProcessor(_spans).Build();
        _loggers = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddOpenTelemetry(options =>
        {
            options.SetResourceBuilder(resource);
            options.AddProcessor(_logRecords);
        }));
    }

    private OtlpExporterOptions Options(Uri endpoint)
    {
        // The parameterless options read OTEL_EXPORTER_OTLP_HEADERS and the TLS variables; endpoint, protocol and timeout are ours.
        var timeout = _settings.ExportTimeout;
        return new OtlpExporterOptions
        {
            Endpoint = endpoint,
            Protocol = OtlpExportProtocol.HttpProtobuf,
            TimeoutMilliseconds = (int)timeout.TotalMilliseconds,
            HttpClientFactory = () => new HttpClient(new RecordingHandler(_failures, timeout)) { Timeout = timeout },
        };
    }

    public void JobStarted(RunStarted run)
    {
        _pipelineLog = run.Log;
        _redactor = run.Redactor;
        _run = Start($"run {run.Pipeline.Name}", default, run.At);
        if (_run is null) return;
        _run.SetTag("waybill.pipeline", run.Pipeline.Name);
        _run.SetTag("waybill.job_id", run.Layout.JobId);
        _run.SetTag("waybill.run_id", run.RunId);
        run.Log.LogInformation("OpenTelemetry: trace {TraceId} to {Endpoint}", _run.TraceId.ToHexString(),
            TelemetrySettings.Shown(_settings.TracesEndpoint));
    }

    public void StageStarted(StageInvocation invocation, DateTimeOffset at)
    {
        if (_run is null) return;
        if (Start(invocation.Stage.Id, _run.Context, at) is { } span) _stages[invocation.Stage.Id] = span;
    }

    public void StageFinished(StageInvocation invocation, StageOutcome outcome, DateTimeOffset at)
    {
        if (_run is null) return;
        // A stage that did not run (up to date, skipped) gets a span too, as long as its decision took.
        if (!_stages.TryRemove(outcome.StageId, out var span)) span = Start(invocation.Stage.Id, _run.Context, at);
        if (span is null) return;
        StageSpanTags.Add(span, invocation, outcome, _redactor);
        span.SetEndTime(at.UtcDateTime);
        span.Stop();
    }

    public async Task JobFinishedAsync(StageStatus status, DateTimeOffset at)
    {
        if (_run is not null)
        {
            foreach (var (_, open) in _stages)
            {
                open.SetEndTime(at.UtcDateTime);
                open.Stop();
            }
            _run.SetTag("waybill.status", status.ToText());
            if (status == StageStatus.Failed) _run.SetStatus(ActivityStatusCode.Error, "a stage failed");
            else if (status == StageStatus.Success) _run.SetStatus(ActivityStatusCode.Ok);
            _run.SetEndTime(at.UtcDateTime);
            _run.Stop();
        }
        _closed = true;
        // Both signals at once: a collector that does not answer holds the run's end once, for at most this long.
        var wait = (int)(_settings.ExportTimeout + TimeSpan.FromSeconds(1)).TotalMilliseconds;
        var done = await Task.WhenAll(Task.Run(() => _spans.Shutdown(wait)), Task.Run(() => _logRecords.Shutdown(wait)));
        if (done.All(d => d) && _failures.Failed == 0) return;
        var why = _failures.Reason ?? $"no answer within {_settings.ExportTimeout.TotalSeconds:0.###} s";
        _pipelineLog?.LogWarning("OpenTelemetry collector {Endpoint}: {Reason}; {Failed} of {Requests} exports failed{Unfinished}, "
            + "the spans and log records in them were not delivered", TelemetrySettings.Shown(_settings.TracesEndpoint), why, _failures.Failed,
            _failures.Requests, done.All(d => d) ? "" : " or did not finish");
    }

    /// <summary>A log event of the run, as an OTLP log record under its stage's span (the run's span for the orchestrator's own).</summary>
    public void Emit(LogEvent logEvent)
    {
        if (_closed) return;
        var span = logEvent.StageId is { } id && _stages.TryGetValue(id, out var stage) ? stage : _run;
        // The SDK takes the record's trace and span ids from Activity.Current; the stage's thread does not run inside the span.
        var previous = Activity.Current;
        Activity.Current = span;
        try
        {
            _loggers.CreateLogger(logEvent.Category).Log(logEvent.Level, default, new LogRecordState(logEvent), null, LogRecordState.Format);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    /// <summary>A span with this parent (none: a new trace), not made the caller's current activity.</summary>
    private static Activity? Start(string name, ActivityContext parent, DateTimeOffset at)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            return Source.StartActivity(name, ActivityKind.Internal, parent, startTime: at);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    public void Dispose()
    {
        _closed = true;
        _tracer.Dispose();
        _loggers.Dispose();
    }
}
