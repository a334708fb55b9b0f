using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;

namespace Waybill.Catalog;

/// <summary>
/// Indexes a run into the catalog as it goes: the catalog is opened while the first stages run, the stage runs that
/// finished are written once a second while later ones run (the job shown as <c>running</c>), and the job with its totals
/// and the stage runs since the last write in one transaction at the end, whose copy from SQLite's write-ahead log into
/// the catalog file (a checkpoint, with its syncs to disk) the next run makes as it opens the catalog. A batch that cannot
/// be written is kept for the end, which writes it with the rest (opening the catalog again if need be); a catalog that
/// cannot be written then costs the run one warning, never its result: the job folder holds everything, and
/// <c>waybill catalog rebuild</c> indexes it later.
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
    private ITimer? _writer;
    private bool _armed;
    private bool _ended;
    private Task? _last;
    private RunStarted? _run;
    private string? _root;
    private (string? Host, string? WaybillVersion)? _first;
    // The store, handed from the opening to each batch in turn on the one connection; null when it could not be opened
    // or a batch failed (the end opens it again).
    private Task<CatalogStore?>? _writing;
    private Exception? _openFailure;
    private bool _warned;

    public void JobStarted(RunStarted run)
    {
        _run = run;
        _root = Path.GetDirectoryName(Path.GetFullPath(run.Layout.Root))!;
        _writing = Task.Run(() => Checkpointed(OpenOrWarn(run.Log, _root, warn: false)));
        _writer = time.CreateTimer(static state => ((CatalogObserver)state!).WriteWaiting(), this, Timeout.InfiniteTimeSpan,
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
        if (outcome.LeftUntouched || _run is null || _writing is null) return;
        var row = ManifestRows.From(outcome.Manifest, ManifestRows.Relative(outcome.StageId));
        lock (_gate)
        {
            _first ??= (outcome.Manifest.Host, outcome.Manifest.WaybillVersion);
            _pending.Add(row);
            if (_pending.Count >= BatchCeiling) WriteBatchLocked();
            else if (!_armed) _armed = _writer!.Change(WriteEvery, Timeout.InfiniteTimeSpan);
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
    /// while the run makes its own records, and <see cref="JobFinishedAsync"/> waits for it (for a run shorter than a
    /// second, all its stage runs: 3.2 ms of CPU for 500).
    /// </summary>
    public void StagesEnded(StageStatus status, DateTimeOffset at) =>
        // A thread of its own, started at once: queued to the pool, it waited for the run's own thread to await it.
        _last = Task.Factory.StartNew(() => WriteLast(status, at), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public Task JobFinishedAsync(StageStatus status, DateTimeOffset at)
    {
        if (_last is { } last) return last;
        WriteLast(status, at);
        return Task.CompletedTask;
    }

    private void WriteLast(StageStatus status, DateTimeOffset at)
    {
        if (_run is not { } run || _writing is null) return;
        Task<CatalogStore?> writing;
        lock (_gate)
        {
            // A tick already under way waits for the lock, then finds the run ended.
            _ended = true;
            writing = _writing;
        }
        _writer?.Dispose();
        var store = writing.GetAwaiter().GetResult();
        if (store is null)
        {
            // A catalog that could not be opened is not tried again (a server that is down may take its time to say so).
            if (_openFailure is { } failed)
            {
                Warn(run.Log, failed);
                return;
            }
            store = OpenOrWarn(run.Log, _root!, warn: true);
            if (store is null) return;
        }
        using (store)
        {
            // The copy of this last transaction into the catalog file is left to the next run's opening.
            Optional(store, s => s.StopCheckpointing());
            try
            {
                store.Index(Job(run, status, at), [.. _unwritten, .. TakePending()], totals: true);
            }
            catch (Exception e) when (IsCatalogFailure(e))
            {
                Warn(run.Log, e);
            }
        }
    }

    /// <summary>
    /// The store, once what earlier runs left in the write-ahead log is in the catalog file (<see cref="CatalogStore.Checkpoint"/>):
    /// done here, in the background while this run's first stages run.
    /// </summary>
    private static CatalogStore? Checkpointed(CatalogStore? store) => Optional(store, s => s.Checkpoint());

    /// <summary>A step that only decides when the log is copied into the file: when it fails, the index is as good.</summary>
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
