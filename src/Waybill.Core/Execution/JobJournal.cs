using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Waybill.Core.Hashing;
using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>
/// Records a run's transitions as they happen: the pipeline log's stage markers, events.jsonl, the observers, the progress
/// display, and the job manifest, of which it is the only writer during a run. Each stage outcome is one line appended to
/// <c>.waybill/journal.jsonl</c>; manifest.json is rewritten whole (compacted) when the run starts and ends, and between
/// them only after a number of lines that grows with the job, so compacting costs the run O(stages) in all: rewriting
/// it every second cost a run of 10,000 stages 4.3 MB a time, quadratic in the number of stages. Nor does a compaction
/// come sooner than <see cref="CostFactor"/> times as long as the last write took after it: a no-op rerun of 100,000
/// stage runs (a 47 MB manifest.json, about 0.3 s a write) was compacted twice in its few seconds.
/// </summary>
internal sealed class JobJournal : IDisposable
{
    // Between compactions: at least this long, doubling each time up to the cap, and at least an eighth of the job's
    // stages in lines (so at most eight compactions per run's worth of stages, whatever the job's size).
    private static readonly TimeSpan FirstInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(30);
    private const int MinLines = 64;
    // Compacting takes at most about 1/CostFactor of the run's time between the first and the last write.
    private const int CostFactor = 20;

    private readonly JobLayout _layout;
    private readonly ChecksumAlgorithm _algorithm;
    private readonly DiskFullWatch _diskFull;
    private readonly EventsJsonlSink _events;
    private readonly RunObservers _observers;
    private readonly IProgress<StageOutcome>? _progress;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Dictionary<string, JobStageSummary> _stages;
    private readonly Stopwatch _lastWrite = new();
    private JobJournalFile? _file;
    private TimeSpan _interval = FirstInterval;
    private TimeSpan _writeCost;
    // Every write of the run serializes into this one (see ManifestJson.Serialize).
    private readonly System.Buffers.ArrayBufferWriter<byte> _manifestBuffer = new(1 << 16);
    private int _linesSinceWrite;

    public JobJournal(JobLayout layout, JobManifest job, ChecksumAlgorithm algorithm, DiskFullWatch diskFull, RunLogging logging,
        RunObservers observers, IProgress<StageOutcome>? progress, TimeProvider time)
    {
        (_layout, Job, _algorithm, _diskFull, _events, _observers, _progress, _time, _log) =
            (layout, job, algorithm, diskFull, logging.Events, observers, progress, time, logging.Pipeline);
        _stages = job.Stages.ToDictionary(s => s.StageId, StringComparer.Ordinal);
    }

    public JobManifest Job { get; }

    /// <summary>Counts each fan-out's items as they are added and finish, for progress displays; null: nobody asked.</summary>
    public FanOutProgress? Items { get; init; }

    /// <summary>The job manifest as the run starts, then job_started for events.jsonl and the observers.</summary>
    public void Open(RunStarted run)
    {
        Write(mustLand: true);
        // After manifest.json names this run: lines an earlier run left are of another run, and go.
        _file = JobJournalFile.Start(_layout);
        _lastWrite.Restart();
        _events.Transition(_time.GetUtcNow(), "job_started", null, "running", null, null);
        _observers.Each(o => o.JobStarted(run));
    }

    /// <summary>A stage run added mid-run (an item of a dynamic fan-out): the job manifest lists it from its next write.</summary>
    public void Added(StageInvocation invocation, List<string> dependsOn)
    {
        var summary = JobRecords.Summary(invocation.Stage, dependsOn);
        if (_stages.TryGetValue(summary.StageId, out var listed))
        {
            // Listed from the last run until the fan-out expanded again: the entry starts over, in its place.
            (listed.Status, listed.StatusReason, listed.CheckedByRun, listed.DependsOn) = (summary.Status, null, null, dependsOn);
            return;
        }
        _stages[summary.StageId] = summary;
        Job.Stages.Add(summary);
        Items?.Added(summary.StageId);
    }

    /// <summary>A stage the scheduler took: the job manifest shows it running from its next write.</summary>
    public void Taken(string stageId) => _stages[stageId].Status = "running";

    /// <summary>A stage that runs (not one found up to date) starts. Called from the stage's own task.</summary>
    public void Started(StageInvocation invocation)
    {
        StageTransitions.Started(_log, invocation);
        _events.Transition(_time.GetUtcNow(), "stage_started", invocation.Stage.Id, "running", null, null);
        _observers.Each(o => o.StageStarted(invocation, _time.GetUtcNow()));
        Items?.Started(invocation.Stage.Id);
    }

    public void Finished(StageInvocation invocation, StageOutcome outcome, bool forgiven)
    {
        StageTransitions.Finished(_log, invocation.Stage.DisplayName, outcome, forgiven);
        _progress?.Report(outcome);
        Items?.Finished(outcome.StageId);
        _events.Transition(_time.GetUtcNow(), "stage_finished", outcome.StageId, outcome.Status.ToText(), outcome.DurationSeconds, outcome.Reason,
            optional: forgiven);
        _observers.Each(o => o.StageFinished(invocation, outcome, _time.GetUtcNow()));
        var summary = _stages[outcome.StageId];
        JobRecords.Update(summary, outcome, _layout, _algorithm);
        Append(summary);
        if (_diskFull.TakeAnnouncement() is { } full)
        {
            _log.LogError("{Problem}: no more stages start; the failure is recorded in the space Waybill reserved for it. "
                + "Free space there, then run 'waybill resume {JobId}'", full, _layout.JobId);
        }
        var since = _lastWrite.Elapsed;
        if (_linesSinceWrite >= Math.Max(MinLines, _stages.Count / 8) && since >= _interval && since >= _writeCost * CostFactor) Compact();
    }

    /// <summary>The job manifest as the run ends (the logs closed and sealed in it by the caller); the journal goes.</summary>
    public void Close()
    {
        Write(mustLand: true);
        _file?.Dispose();
        _file = null;
        JobJournalFile.Delete(_layout);
    }

    public void Dispose() => _file?.Dispose();

    private void Append(JobStageSummary summary)
    {
        if (_file is null) return;
        try
        {
            _file.Append(Job.RunId, summary);
        }
        catch (IOException e) when (IO.FileSystemErrors.IsDiskFull(e))
        {
            // Into the space the reserve gives back; if none is left, the line waits for the next compaction.
            if (!_diskFull.FreeSpace(e, _layout.JournalPath, records: true)) return;
            try
            {
                _file.Append(Job.RunId, summary);
            }
            catch (IOException again) when (IO.FileSystemErrors.IsDiskFull(again))
            {
                return;
            }
        }
        _linesSinceWrite++;
    }

    private void Compact()
    {
        if (!Write(mustLand: false)) return;
        _file?.Clear();
        _linesSinceWrite = 0;
        _lastWrite.Restart();
        _interval = TimeSpan.FromTicks(Math.Min(MaxInterval.Ticks, _interval.Ticks * 2));
    }

    // A write that meets a full disk is tried again in the space the reserve gives back; one that may wait for the next
    // write (mid-run) is left for it once the reserve is gone. The first and the last write always try again.
    private bool Write(bool mustLand)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            JobManifestSeal.Write(_layout, Job, _algorithm, _manifestBuffer);
            _writeCost = clock.Elapsed;
            return true;
        }
        catch (IOException e) when (IO.FileSystemErrors.IsDiskFull(e))
        {
            if (!_diskFull.FreeSpace(e, _layout.JobManifestPath, records: true) && !mustLand) return false;
        }
        JobManifestSeal.Write(_layout, Job, _algorithm, _manifestBuffer);
        return true;
    }
}
