using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;

namespace Waybill.Catalog;

/// <summary>
/// Indexes a run into the catalog as it goes, on a thread of its own at the lowest CPU priority: the catalog is opened
/// while the first stages run, the stage runs are written in batches while later ones run (the job shown as
/// <c>running</c>), and the job with its totals and the last few stage runs in one transaction at the end, all of it in
/// CPU time the stages leave idle. A catalog that cannot be opened or written costs the run one warning, never its
/// result: the job folder holds everything, and <c>waybill catalog rebuild</c> indexes it later.
/// </summary>
internal sealed class CatalogObserver(CatalogTarget target, TimeProvider time) : IRunObserver
{
    // A batch is written once this many stage runs wait: the job's runs show up while it goes, and its end waits for the
    // last few only. The writes themselves cost the same CPU either way (500 stage runs: about 6-8 ms, most of it in
    // SQLite's six indices), and on a machine whose cores the stages keep busy that is 1-2% of the 500-stage run's
    // 0.4 s, batched or not, on pool threads or at nice 19 (docs/performance.md, "Catalog across jobs").
    private const int BatchSize = 64;

    private readonly List<StageOutcome> _pending = [];
    // The catalog's work in order: opening it, each batch, the end. Only the catalog's thread touches _store.
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private RunStarted? _run;
    private StageManifest? _first;
    private CatalogStore? _store;
    private volatile bool _warned;

    public void JobStarted(RunStarted run)
    {
        _run = run;
        var root = Path.GetDirectoryName(Path.GetFullPath(run.Layout.Root))!;
        _work.Writer.TryWrite(() => _store = OpenOrWarn(run.Log, root));
        new Thread(Work) { IsBackground = true, Name = "waybill catalog" }.Start();
    }

    public void StageStarted(StageInvocation invocation, DateTimeOffset at)
    {
    }

    // Calls come one at a time (the orchestrator's loop holds a lock around observers). A stage found up to date keeps the
    // manifest its producing run wrote and the catalog indexed then: this run's view of it ("skipped, 0 s") is no record
    // of a stage run, and indexing it would hide the real run from every query.
    public void StageFinished(StageInvocation invocation, StageOutcome outcome, DateTimeOffset at)
    {
        if (outcome.LeftUntouched || _run is not { } run || _warned) return;
        _first ??= outcome.Manifest;
        _pending.Add(outcome);
        if (_pending.Count < BatchSize) return;
        var (job, batch) = (Job(run, StageStatus.Running, null), TakePending());
        _work.Writer.TryWrite(() => _store = Write(_store, job, batch, totals: false));
    }

    public async Task JobFinishedAsync(StageStatus status, DateTimeOffset at)
    {
        if (_run is not { } run) return;
        var (job, batch) = (Job(run, status, at), TakePending());
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Writer.TryWrite(() =>
        {
            try
            {
                _store = Write(_store, job, batch, totals: true);
            }
            finally
            {
                _store?.Dispose();
                _store = null;
                done.SetResult();
            }
        });
        _work.Writer.TryComplete();
        await done.Task.ConfigureAwait(false);
    }

    private void Work()
    {
        LowestPriority.ForThisThread();
        // A thread of its own waits here; the work itself never runs on the thread pool.
        while (_work.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (_work.Reader.TryRead(out var item))
            {
                try
                {
                    item();
                }
                // The catalog is an index of the job folders: whatever goes wrong in it must not end the run.
                catch (Exception e)
                {
                    Warn(_run!.Log, e);
                    _store?.Dispose();
                    _store = null;
                }
            }
        }
    }

    /// <summary>Writes a batch in one transaction; hands the store on, or warns once and hands on null.</summary>
    private CatalogStore? Write(CatalogStore? store, JobRow job, List<StageOutcome> batch, bool totals)
    {
        if (store is null || _warned) return null;
        try
        {
            store.Index(job, [.. batch.Select(o => ManifestRows.From(o.Manifest, ManifestRows.Relative(o.StageId)))], totals);
            return store;
        }
        catch (Exception e) when (e is CatalogException or System.Data.Common.DbException or IOException or InvalidOperationException)
        {
            Warn(_run!.Log, e);
            store.Dispose();
            return null;
        }
    }

    private List<StageOutcome> TakePending()
    {
        var batch = new List<StageOutcome>(_pending);
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

    private CatalogStore? OpenOrWarn(ILogger log, string root)
    {
        try
        {
            return CatalogStore.Open(target, [root], message => log.LogInformation("{Message}", message), time);
        }
        catch (Exception e) when (e is CatalogException or System.Data.Common.DbException or IOException or UnauthorizedAccessException
            or InvalidOperationException or ArgumentException)
        {
            Warn(log, e);
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
