using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;

namespace Waybill.Catalog;

/// <summary>
/// Indexes a run into the catalog as it goes: the catalog is opened once the first stage run has ended, the stage runs that
/// finished are written once a second while later ones run (the job shown as <c>running</c>), and the job with its totals
/// and the stage runs since the last write in one transaction at the end, whose copy from SQLite's write-ahead log into
/// the catalog file (a checkpoint, with its syncs to disk) is made once the run's end no longer waits, or by the next run
/// as it opens the catalog when the process ended first. A batch that cannot be written is kept for the end, which writes
/// it with the rest (opening the catalog again if need be); a catalog that cannot be written then costs the run one
/// warning, never its result: the job folder holds everything, and <c>waybill catalog rebuild</c> indexes it later.
/// </summary>
internal sealed class CatalogObserver(CatalogTarget target, TimeProvider time) : IRunObserver, IStagesEndedObserver
{
    // The stage runs that finished are written this often while a run goes: a job's runs show up within a second, and a
    // transaction costs about 0.2 ms of CPU whatever it holds (its pages written to the log, which the next run reads back
    // and copies). Written 64 at a time, the 500-stage run's indexing took 7.0 ms of CPU; in one transaction, 5.2 ms
    // (docs/performance.md, "Indexing by the second").
    internal static readonly TimeSpan WriteEvery = TimeSpan.FromSeconds(1);

    // Written at once when this many wait, whatever the time: the memory they hold, and what the end waits for, stay bounded.
    internal const int BatchCeiling = 4096;

    // Rows, not the outcomes' manifests: held until they were written, a batch's manifests with their inputs, outputs and
    // config outlived the young generation, and the garbage collector's copying them cost the run more than the rows' writing.
    private readonly List<StageRunRow> _pending = [];
    // Batches that failed, written again at the end; touched only by the batches, one after another, and by the end.
    private readonly List<StageRunRow> _unwritten = [];
    // Orders the stage runs that finish (one at a time, under the orchestrator's lock) with the timer's writes.
    private readonly Lock _gate = new();
    // Armed by the first stage run that waits, for one tick: a run that stops (or a host that never ends it) leaves no
    // timer going.
    private ITimer? _tick;
    private bool _armed;
    private bool _ended;
    // The run's end, handed to the catalog thread.
    private readonly TaskCompletionSource<(StageStatus Status, DateTimeOffset At)> _stagesEnded =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Set by the catalog thread once the last transaction is written (or could not be): what the run's end waits for.
    private readonly TaskCompletionSource _lastWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RunStarted? _run;
    private string? _root;
    private (string? Host, string? WaybillVersion)? _first;
    // The store, handed from the opening to each batch in turn on the one connection (null in it when the catalog could
    // not be opened or a batch failed: the end opens it again). Null itself until the catalog thread starts.
    private Task<CatalogStore?>? _writing;
    private Exception? _openFailure;
    private bool _warned;

    public void JobStarted(RunStarted run)
    {
        _run = run;
        _root = Path.GetDirectoryName(Path.GetFullPath(run.Layout.Root))!;
        _tick = time.CreateTimer(static state => ((CatalogObserver)state!).WriteWaiting(), this, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    public void StageStarted(StageInvocation invocation, DateTimeOffset at)
    {
    }

    // Calls come one at a time (the orchestrator's loop holds a lock around observers). A stage found up to date keeps the
    // manifest its producing run wrote and the catalog indexed then: this run's view of it ("skipped, 0 s") is no record
    // of a stage run, and indexing it would hide the real run from every query.
    public void StageFinished(StageInvocation invocation, StageOutcome outcome, DateTimeOffset at)
    {
        if (_run is not { } run) return;
        var row = outcome.LeftUntouched ? null : ManifestRows.From(outcome.Manifest, ManifestRows.Relative(outcome.StageId));
        lock (_gate)
        {
            if (_writing is null) StartLaneLocked(run);
            if (row is null) return;
            _first ??= (outcome.Manifest.Host, outcome.Manifest.WaybillVersion);
            _pending.Add(row);
            if (_pending.Count >= BatchCeiling) WriteBatchLocked();
            else if (!_armed) _armed = _tick!.Change(WriteEvery, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The opening and the writes queued so far, one after another (for tests: what a tick started).</summary>
    internal Task? Writing
    {
        get
        {
            lock (_gate) return _writing;
        }
    }

    /// <summary>The timer's tick: the stage runs that finished since the last write, unless the run has ended.</summary>
    private void WriteWaiting()
    {
        lock (_gate)
        {
            _armed = false;
            if (!_ended && _pending.Count > 0) WriteBatchLocked();
        }
    }

    private void WriteBatchLocked()
    {
        var (previous, job, batch) = (_writing!, Job(_run!, StageStatus.Running, null), TakePending());
        // Queued behind the opening and the batches before it, even while they are still going: waiting for them to end
        // first would hold every later stage run back until a stage ends after they did, which a run's last stage may not.
        _writing = Task.Run(async () => WriteBatch(await previous.ConfigureAwait(false), job, batch));
    }

    /// <summary>
    /// Starts the last transaction once the run's last stage has ended: it is written on a core the stages no longer use
    /// while the run makes its own records and prints its summary, and <see cref="JobFinishedAsync"/> waits for it (for a
    /// run shorter than a second, all its stage runs: 3.2 ms of CPU for 500).
    /// </summary>
    public void StagesEnded(StageStatus status, DateTimeOffset at)
    {
        if (_run is not { } run) return;
        lock (_gate)
        {
            // A tick already under way waits for the lock, then finds the run ended.
            _ended = true;
            if (_writing is null) StartLaneLocked(run);
        }
        _stagesEnded.TrySetResult((status, at));
    }

    public Task JobFinishedAsync(StageStatus status, DateTimeOffset at)
    {
        if (_run is null) return Task.CompletedTask;
        StagesEnded(status, at);
        return _lastWritten.Task;
    }

    /// <summary>
    /// Starts the run's catalog thread, at the first stage run that ends rather than as the run starts: the start is a
    /// run's busiest moment (its first stages and the process spawner starting), and a run of 500 no-op stages reached its
    /// first stage 1.4 ms later with the catalog opening beside it on two cores, not later at all with the opening here
    /// (docs/performance.md, "Opening once a stage has ended"). The thread opens the catalog, then waits for the stages to
    /// end and writes the last transaction: not on the pool, where the last write waited for the run's own thread to await
    /// it; one thread, as one made at the end cost the run's thread 0.09 ms and started the write 0.1 ms later.
    /// </summary>
    private void StartLaneLocked(RunStarted run)
    {
        var opened = new TaskCompletionSource<CatalogStore?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _writing = opened.Task;
        new Thread(() => Lane(run, opened)) { IsBackground = true, Name = "Waybill catalog" }.Start();
    }

#pragma warning disable CA1031 // Whatever fails is handed to the batches and the end, which say it (RunObservers).
    private void Lane(RunStarted run, TaskCompletionSource<CatalogStore?> opened)
    {
        try
        {
            opened.SetResult(ReadyToWrite(OpenOrWarn(run.Log, _root!, warn: false)));
        }
        catch (Exception e)
        {
            opened.SetException(e);
        }
        var (status, at) = _stagesEnded.Task.GetAwaiter().GetResult();
        CatalogStore? store = null;
        try
        {
            store = WriteLast(run, status, at);
            _lastWritten.SetResult();
        }
        catch (Exception e)
        {
            _lastWritten.SetException(e);
        }
        // Once the run no longer waits, while it seals its records: the log copied into the catalog file and emptied, so
        // that the next run and every `waybill query` open the catalog without reading it back (0.6 ms, and 0.3 ms more for
        // the next run's copy). A process that ends first leaves the log as it is, to the next run's opening.
        using (store) Optional(store, s => s.EmptyLog());
    }
#pragma warning restore CA1031

    /// <summary>The last transaction; the store it was written with, to close (null: the catalog could not be opened).</summary>
    private CatalogStore? WriteLast(RunStarted run, StageStatus status, DateTimeOffset at)
    {
        Task<CatalogStore?> writing;
        lock (_gate) writing = _writing!;
        _tick?.Dispose();
        var store = writing.GetAwaiter().GetResult();
        if (store is null)
        {
            // A catalog that could not be opened is not tried again (a server that is down may take its time to say so).
            if (_openFailure is { } failed)
            {
                Warn(run.Log, failed);
                return null;
            }
            store = OpenOrWarn(run.Log, _root!, warn: true);
            if (store is null) return null;
        }
        try
        {
            // Its copy into the catalog file is not the run's to wait for (above).
            Optional(store, s => s.StopCheckpointing());
            store.Index(Job(run, status, at), [.. _unwritten, .. TakePending()], totals: true);
        }
        catch (Exception e) when (IsCatalogFailure(e))
        {
            Warn(run.Log, e);
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return store;
    }

    /// <summary>
    /// The store, once what earlier runs left in the write-ahead log is in the catalog file (<see cref="CatalogStore.Checkpoint"/>)
    /// and its statements are prepared: done here, in the background while this run's stages run.
    /// </summary>
    private static CatalogStore? ReadyToWrite(CatalogStore? store) => Optional(Optional(store, s => s.Checkpoint()), s => s.PrepareWrites());

    /// <summary>
    /// A step that only decides when the log is copied into the file, or when statements are prepared: when it fails, the
    /// index is as good.
    /// </summary>
    private static CatalogStore? Optional(CatalogStore? store, Action<CatalogStore> step)
    {
        try
        {
            if (store is not null) step(store);
        }
        catch (Exception e) when (IsCatalogFailure(e))
        {
            // Every reader reads the log, and the next run that opens the catalog copies it.
        }
        return store;
    }

    /// <summary>Writes a batch in one transaction and hands the store on; a batch that fails waits for the end.</summary>
    private CatalogStore? WriteBatch(CatalogStore? store, JobRow job, List<StageRunRow> batch)
    {
        if (store is not null)
        {
            try
            {
                store.Index(job, batch, totals: false);
                return store;
            }
            catch (Exception e) when (IsCatalogFailure(e))
            {
                store.Dispose();
            }
        }
        _unwritten.AddRange(batch);
        return null;
    }

    private static bool IsCatalogFailure(Exception e) =>
        e is CatalogException or System.Data.Common.DbException or IOException or InvalidOperationException;

    private List<StageRunRow> TakePending()
    {
        var batch = new List<StageRunRow>(_pending);
        _pending.Clear();
        return batch;
    }

    /// <summary>The job's row: as it runs (<c>running</c>, not finished) or as it ended.</summary>
    private JobRow Job(RunStarted run, StageStatus status, DateTimeOffset? finished)
    {
        var duration = ((finished ?? time.GetUtcNow()) - run.At).TotalSeconds;
        return new JobRow(Path.GetFullPath(run.Layout.Root), run.Layout.JobId, run.Pipeline.Name, run.RunId, status.ToText(), run.At, finished,
            duration, _first?.Host ?? Environment.MachineName, _first?.WaybillVersion);
    }

    /// <summary>The store, or null: a failure is said (once) when <paramref name="warn"/>, else left for the end to meet again.</summary>
    private CatalogStore? OpenOrWarn(ILogger log, string root, bool warn)
    {
        try
        {
            return CatalogStore.Open(target, [root], message => log.LogInformation("{Message}", message), time);
        }
        catch (Exception e) when (IsCatalogFailure(e) || e is UnauthorizedAccessException or ArgumentException)
        {
            if (warn) Warn(log, e);
            else _openFailure = e;
            return null;
        }
    }

    private void Warn(ILogger log, Exception e)
    {
        if (_warned) return;
        _warned = true;
        var reason = e is CatalogException ? e.Message : $"catalog {target.Display}: {e.Message}";
        log.LogWarning("{Reason}; this run is not indexed (the job folder has it all: 'waybill catalog rebuild' indexes it later)", reason);
    }
}
