using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;

namespace Waybill.Catalog;

/// <summary>
/// Indexes a run into the catalog as it goes: the catalog is opened while the first stages run, the stage runs are
/// written in batches while later ones run (the job shown as <c>running</c>), and the job with its totals and the last
/// few stage runs in one transaction at the end, whose copy from SQLite's write-ahead log into the catalog file (a
/// checkpoint, with its syncs to disk) the next run makes as it opens the catalog. A batch that cannot be written is kept
/// for the end, which writes it with the rest (opening the catalog again if need be); a catalog that cannot be written then
/// costs the run one warning, never its result: the job folder holds everything, and <c>waybill catalog rebuild</c>
/// indexes it later.
/// </summary>
internal sealed class CatalogObserver(CatalogTarget target, TimeProvider time) : IRunObserver
{
    // A batch is written once this many stage runs wait: the job's runs show up while it goes, and its end waits for the
    // last few only. The writes themselves cost about the same CPU either way (500 stage runs: about 7 ms, most of it in
    // SQLite's inserts), and on a machine whose cores the stages keep busy that is 1.5-2% of the 500-stage run's 0.4 s,
    // batched or not (docs/performance.md, "Indexing for less").
    private const int BatchSize = 64;

    // Rows, not the outcomes' manifests: held until their batch is written, 64 manifests each with its inputs, outputs and
    // config outlived the young generation, and the garbage collector's copying them cost the run more than the rows' writing.
    private readonly List<StageRunRow> _pending = [];
    // Batches that failed, written again at the end; touched only by the batches, one after another, and by the end.
    private readonly List<StageRunRow> _unwritten = [];
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
    }

    public void StageStarted(StageInvocation invocation, DateTimeOffset at)
    {
    }

    // Calls come one at a time (the orchestrator's loop holds a lock around observers). A stage found up to date keeps the
    // manifest its producing run wrote and the catalog indexed then: this run's view of it ("skipped, 0 s") is no record
    // of a stage run, and indexing it would hide the real run from every query.
    public void StageFinished(StageInvocation invocation, StageOutcome outcome, DateTimeOffset at)
    {
        if (outcome.LeftUntouched || _run is not { } run || _writing is not { } previous) return;
        _first ??= (outcome.Manifest.Host, outcome.Manifest.WaybillVersion);
        _pending.Add(ManifestRows.From(outcome.Manifest, ManifestRows.Relative(outcome.StageId)));
        // Queued behind the opening and the batches before it, even while they are still going: waiting for them to end
        // first would hold every later stage run back until a stage ends after they did, which a run's last stage may not.
        if (_pending.Count < BatchSize) return;
        var (job, batch) = (Job(run, StageStatus.Running, null), TakePending());
        _writing = Task.Run(async () => WriteBatch(await previous.ConfigureAwait(false), job, batch));
    }

    public async Task JobFinishedAsync(StageStatus status, DateTimeOffset at)
    {
        if (_run is not { } run || _writing is null) return;
        var store = await _writing.ConfigureAwait(false);
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
