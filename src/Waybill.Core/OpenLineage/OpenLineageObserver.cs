using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;

namespace Waybill.Core.OpenLineage;

/// <summary>
/// Turns a run's transitions into OpenLineage run events. The pipeline run is the parent job (START, then
/// COMPLETE, FAIL or ABORT); every stage that starts is a job of its own, <c>&lt;pipeline&gt;.&lt;stage id&gt;</c>, whose
/// events carry the standard <c>parent</c> facet. Every stage the run ran or skipped, but for one found up to date, gets
/// one START and one end event: the spec asks for both in every run. A stage that never started (upstream failed,
/// cancelled before it began) gets both at the moment it was decided, its end typed by its status like any other stage's
/// (skipped: COMPLETE, cancelled: ABORT), and no datasets: it read and wrote nothing in this run. A stage found up to
/// date is no run of this one: the events of the run that produced it stand, and the pipeline run's end counts it
/// (<c>up_to_date</c>). A no-op rerun of 100,000 items wrote 350 MB of such events, and took 20–35% more time for them.
/// Events are appended to <c>logs/openlineage.jsonl</c> and, with an endpoint, POSTed from a background queue.
/// </summary>
public sealed class OpenLineageObserver(OpenLineageSettings settings) : IRunObserver, IDisposable
{
    private readonly OpenLineageFacets _facets = new(Producer);
    // The stages started and not yet ended, with what their START and end share (a name-based id is a SHA-1 hash).
    private readonly Dictionary<string, StageEventParts> _started = new(StringComparer.Ordinal);
    private readonly List<(string Message, string Language)> _failures = [];
    private readonly Dictionary<string, int> _ended = new(StringComparer.Ordinal);
    private int _upToDate;
    private RunStarted? _run;
    private OpenLineageFile? _file;
    private OpenLineageHttpTransport? _http;
    private OpenLineageStageEvents? _stageEvents;
    private Guid _jobRunId;

    /// <summary>The <c>producer</c> of every event: this program and its version.</summary>
    public static string Producer { get; } = $"https://waybill.dev/waybill/{RunServices.Version}";

    public void JobStarted(RunStarted run)
    {
        _run = run;
        _jobRunId = OpenLineageIds.ForRun(run.RunId);
        _file = OpenFile(run);
        if (settings.Endpoint is { } endpoint) _http = new OpenLineageHttpTransport(endpoint, settings.ApiKey, settings.RequestTimeout, settings.QueueCapacity);
        var runFacets = new JsonObject
        {
            ["processing_engine"] = _facets.ProcessingEngine(RunServices.Version),
            ["waybill_job"] = _facets.WaybillJob(run.Layout.JobId, run.RunId, run.Layout.Root, "running", null, null),
        };
        Emit(new OpenLineageEvent(OpenLineageEvent.Start, run.At, _jobRunId, runFacets, settings.Namespace, run.Pipeline.Name, PipelineJobFacets()));
        _stageEvents = new OpenLineageStageEvents(_facets, run.Redactor, settings.Namespace, Parent());
    }

    public void StageStarted(StageInvocation invocation, DateTimeOffset at)
    {
        if (_run is null || _stageEvents is not { } events) return;
        var parts = Parts(invocation);
        _started[invocation.Stage.Id] = parts;
        events.Clear();
        WriteStart(events, invocation, parts, at);
        Emit(events.Written);
    }

    public void StageFinished(StageInvocation invocation, StageOutcome outcome, DateTimeOffset at)
    {
        if (_run is null || _stageEvents is not { } events) return;
        if (outcome.LeftUntouched)
        {
            _upToDate++;
            return;
        }
        var ran = _started.Remove(outcome.StageId, out var parts);
        if (!ran) parts = Parts(invocation);
        events.Clear();
        // A stage that never started gets its START here, written with its end in one append.
        if (!ran) WriteStart(events, invocation, parts, at);
        var manifest = outcome.Manifest;
        var stage = invocation.Stage;
        JsonObject? error = null;
        if (outcome.Status == StageStatus.Failed)
        {
            var language = stage.Kind == StageKind.Command ? "shell" : "C#";
            var message = outcome.Reason ?? manifest.Errors.FirstOrDefault()?.Message ?? "stage failed";
            error = _facets.ErrorMessage(message, language);
            _failures.Add(($"{stage.Id} failed: {message}", language));
        }
        _ended[manifest.Status] = _ended.GetValueOrDefault(manifest.Status) + 1;
        // A stage that never started read and wrote nothing in this run: no datasets.
        events.Finish(parts, EndEventType(outcome.Status), at, manifest, error, ran ? invocation.Layout : null);
        Emit(events.Written);
    }

    private static void WriteStart(OpenLineageStageEvents events, StageInvocation invocation, in StageEventParts parts, DateTimeOffset at) =>
        events.Start(parts, invocation.Layout.JobId, invocation.RunId, invocation.Stage.Id, invocation.Stage.Name, at, invocation.Reasons);

    private StageEventParts Parts(StageInvocation invocation) =>
        new(StageRunId(invocation.Stage.Id), StageJobName(invocation), ManifestPath(invocation), LogPath(invocation), invocation.Stage.Description);

    public async Task JobFinishedAsync(StageStatus status, DateTimeOffset at)
    {
        if (_run is not { } run) return;
        var runFacets = new JsonObject
        {
            ["processing_engine"] = _facets.ProcessingEngine(RunServices.Version),
            ["waybill_job"] = _facets.WaybillJob(run.Layout.JobId, run.RunId, run.Layout.Root, status.ToText(),
                (at - run.At).TotalSeconds, _ended, _upToDate),
        };
        if (status == StageStatus.Failed && _failures.Count > 0)
            runFacets["errorMessage"] = _facets.ErrorMessage(string.Join("; ", _failures.Select(f => f.Message)), _failures[0].Language);
        Emit(new OpenLineageEvent(EndEventType(status), at, _jobRunId, runFacets, settings.Namespace, run.Pipeline.Name, PipelineJobFacets()));
        _file?.Dispose();
        _file = null;
        _stageEvents?.Dispose();
        _stageEvents = null;
        if (_http is null || settings.Endpoint is not { } endpoint) return;
        OpenLineageDelivery delivery;
        using (_http)
            delivery = await _http.FinishAsync(settings.DrainTimeout);
        _http = null;
        var shown = OpenLineageSettings.Display(endpoint);
        if (delivery.Undelivered > 0)
            run.Log.LogWarning("OpenLineage endpoint {Endpoint}: {Problem}; {Count} of {Total} events not delivered (all are in logs/{File})",
                shown, delivery.Problem ?? "unknown problem", delivery.Undelivered, delivery.Queued, OpenLineageFile.FileName);
        else
            run.Log.LogDebug("OpenLineage: {Count} events delivered to {Endpoint}", delivery.Delivered, shown);
    }

    /// <summary>Closes the file and stops posting at once; for a run that ended without <see cref="JobFinishedAsync"/>.</summary>
    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        _stageEvents?.Dispose();
        _stageEvents = null;
        _http?.Dispose();
        _http = null;
    }

    private static string EndEventType(StageStatus status) => status switch
    {
        StageStatus.Failed => OpenLineageEvent.Fail,
        StageStatus.Cancelled => OpenLineageEvent.Abort,
        _ => OpenLineageEvent.Complete, // success, or a stage that started and then chose to skip its work
    };

    private void Emit(OpenLineageEvent lineageEvent)
    {
        var line = lineageEvent.ToJsonLine(Producer, _run!.Redactor);
        Write(file => file.Append(line));
        _http?.Enqueue(line);
    }

    /// <summary>Whole lines (a stage's START and its end, say) in one append: one write and one system call for all.</summary>
    private void Emit(ReadOnlySpan<byte> lines)
    {
        if (_file is { } file)
        {
            try
            {
                file.Append(lines);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Lost(e);
            }
        }
        if (_http is null) return;
        for (var end = lines.IndexOf((byte)'\n'); end >= 0; lines = lines[(end + 1)..], end = lines.IndexOf((byte)'\n'))
            _http.Enqueue(System.Text.Encoding.UTF8.GetString(lines[..end]));
    }

    private void Write(Action<OpenLineageFile> append)
    {
        if (_file is null) return;
        try
        {
            append(_file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Lost(e);
        }
    }

    // One warning, then the run goes on without the file (the endpoint, if any, still gets the events).
    private void Lost(Exception e)
    {
        _run!.Log.LogWarning("cannot write logs/{File}: {Reason}; OpenLineage events of this run are no longer written to it",
            OpenLineageFile.FileName, e.Message);
        _file?.Dispose();
        _file = null;
    }

    private static OpenLineageFile? OpenFile(RunStarted run)
    {
        try
        {
            return new OpenLineageFile(Path.Combine(run.Layout.LogsDir, OpenLineageFile.FileName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            run.Log.LogWarning("cannot write logs/{File}: {Reason}; OpenLineage events of this run are not written to it", OpenLineageFile.FileName, e.Message);
            return null;
        }
    }

    private JsonObject Parent() => _facets.Parent(_jobRunId, settings.Namespace, _run!.Pipeline.Name);

    private Guid StageRunId(string stageId) => OpenLineageIds.ForStage(_jobRunId, stageId);

    private static string StageJobName(StageInvocation invocation) => $"{invocation.Pipeline.Name}.{invocation.Stage.Id}";

    private static string ManifestPath(StageInvocation invocation) => JobLayout.StageManifestRelative(invocation.Stage.Id);

    private static string LogPath(StageInvocation invocation) => JobLayout.StageFolder(invocation.Stage.Id) + "/stage.log";

    private JsonObject PipelineJobFacets() => new() { ["jobType"] = _facets.JobType("JOB") };
}
