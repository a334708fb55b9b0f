using Microsoft.Extensions.Logging;
using Waybill.Core.Jobs;
using Waybill.Core.Secrets;

namespace Waybill.Core.Logging;

/// <summary>
/// The logs of one run: the pipeline log (INFO+), the console (INFO+, DEBUG with --debug), events.jsonl, and
/// one stage.log per stage (every level). Every sink is wrapped so a failure in one never reaches a stage.
/// </summary>
public sealed class RunLogging : IDisposable
{
    private readonly JobLayout _layout;
    private readonly Redactor _redactor;
    private readonly TimeProvider _time;
    private readonly TextFileSink _pipelineFile;
    private readonly EventsJsonlSink _events;
    private readonly LogRoute[] _sharedRoutes;
    private readonly bool _legacyStageLogs;
    private readonly DateTimeOffset _started;
    private readonly Func<Exception, bool>? _onDiskFull;

    /// <param name="onDiskFull">Called by a log file whose write met a full disk: true when space was freed for one retry.</param>
    /// <param name="exporters">Sinks that get every event, as events.jsonl does (an OpenTelemetry exporter); each failure isolated.</param>
    public RunLogging(JobLayout layout, Redactor redactor, TimeProvider time, ILogSink? console, LogLevel consoleLevel, bool legacyStageLogs,
        string? pipelineLogPath = null, Func<Exception, bool>? onDiskFull = null, IEnumerable<ILogSink>? exporters = null)
    {
        _layout = layout;
        _redactor = redactor;
        _time = time;
        _legacyStageLogs = legacyStageLogs;
        _onDiskFull = onDiskFull;
        _started = time.GetLocalNow();
        // A stage run alone (exec-stage) appends to the run's existing pipeline log; a run gets a new one of its own.
        _pipelineFile = pipelineLogPath is not null
            ? new TextFileSink(pipelineLogPath, withExceptions: false, onDiskFull)
            : TextFileSink.CreateUnique(attempt => layout.PipelineLogPath(_started, attempt), withExceptions: false, onDiskFull);
        PipelineLogPath = _pipelineFile.Path;
        _events = new EventsJsonlSink(layout.EventsPath, onDiskFull);
        var routes = new List<LogRoute>
        {
            new(new SafeSink(_pipelineFile), LogLevel.Information),
            new(new SafeSink(_events), LogLevel.Trace),
        };
        if (console is not null) routes.Add(new LogRoute(new SafeSink(console), consoleLevel));
        routes.AddRange((exporters ?? []).Select(sink => new LogRoute(new SafeSink(sink), LogLevel.Trace)));
        _sharedRoutes = [.. routes];
        Pipeline = new RoutingLogger("pipeline", null, _sharedRoutes, redactor, time);
    }

    public string PipelineLogPath { get; }

    /// <summary>The orchestrator's own logger: category <c>pipeline</c>.</summary>
    public ILogger Pipeline { get; }

    public EventsJsonlSink Events => _events;

    /// <summary>A logger for one stage, writing every level to its stage.log. Dispose the returned handle when the stage ends.</summary>
    public StageLogHandle OpenStage(string stageId, string stageName) => OpenStage(_layout, stageId, stageName, _sharedRoutes, _redactor, _time,
        _legacyStageLogs ? _layout.LegacyStageLogPath(stageId, _started) : null, _onDiskFull);

    /// <summary>Opens a stage's logs when no run-wide logging exists (a stage run alone as its own process).</summary>
    public static StageLogHandle OpenStage(JobLayout layout, string stageId, string stageName, LogRoute[] sharedRoutes, Redactor redactor,
        TimeProvider time, string? legacyPath, Func<Exception, bool>? onDiskFull = null)
    {
        var files = new List<TextFileSink> { new(layout.StageLogPath(stageId), withExceptions: true, onDiskFull) };
        if (legacyPath is not null) files.Add(new TextFileSink(legacyPath, withExceptions: true, onDiskFull));
        var routes = files.Select(f => new LogRoute(new SafeSink(f), LogLevel.Trace)).Concat(sharedRoutes).ToArray();
        return new StageLogHandle(new RoutingLogger("stage." + stageName, stageId, routes, redactor, time), files);
    }

    public void Dispose()
    {
        _pipelineFile.Dispose();
        _events.Dispose();
    }
}

/// <summary>A stage's logger and the files it owns.</summary>
public sealed class StageLogHandle(RoutingLogger logger, IReadOnlyList<TextFileSink> files) : IDisposable
{
    public RoutingLogger Logger { get; } = logger;

    /// <summary>stage.log as closed (after <see cref="Dispose"/>), when its writer wrote the whole file.</summary>
    public LogFileSeal? Seal => files[0].Seal;

    public void Dispose()
    {
        foreach (var file in files) file.Dispose();
    }
}
