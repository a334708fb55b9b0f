using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;

namespace Waybill.Catalog;

/// <summary>
/// Indexes a run into the catalog as it goes: the stage runs it finished, in batches written on a thread of the catalog's
/// own while later stages run (the job shown as <c>running</c>), and the job with its totals in one transaction at the
/// end, so the run's end waits only for the last few stage runs. The catalog is opened while the first stages run. A
/// catalog that cannot be opened or written costs the run one warning, never its result: the job folder holds
/// everything, and <c>waybill catalog rebuild</c> indexes it later.
/// </summary>
internal sealed class CatalogObserver(CatalogTarget target, TimeProvider time) : IRunObserver
{
    // A batch is written once this many stage runs wait: 500 stages' end waited 7-9 ms for one transaction of all of
    // them (1.6-2.1% of the 500-stage run, 0.43 s), and waits for the last few now.
    private const int BatchSize = 64;

    private readonly List<StageOutcome> _pending = [];
    private RunStarted? _run;
    private StageManifest? _first;
    private Task<CatalogStore?>? _opening;
    // The batches, one after another on the one connection; each ends by handing on the store, or null once it failed.
    private Task<CatalogStore?>? _writing;
    private volatile bool _warned;

    public void JobStarted(RunStarted run)
    {
        _run = run;
        var root = Path.GetDirectoryName(Path.GetFullPath(run.Layout.Root))!;
        _opening = Task.Run(() => OpenOrWarn(run.Log, root));
    }

    public void StageStarted(StageInvocation invocation, DateTimeOffset at)
    {
    }

    // Calls come one at a time (the orchestrator's loop holds a lock around observers). A stage found up to date keeps the
    // manifest its producing run wrote and the catalog indexed then: this run's view of it ("skipped, 0 s") is no record
    // of a stage run, and indexing it would hide the real run from every query.
    public void StageFinished(StageInvocation invocation, StageOutcome outcome, DateTimeOffset at)
    {
        if (outcome.LeftUntouched || _run is not { } run || _opening is null || _warned) return;
        _first ??= outcome.Manifest;
        _pending.Add(outcome);
        if (_pending.Count < BatchSize || _writing is { IsCompleted: false }) return;
        var (job, batch, previous) = (Job(run, StageStatus.Running, null), TakePending(), _writing ?? _opening);
        _writing = Task.Run(async () => Write(await previous.ConfigureAwait(false), job, batch, totals: false));
    }

    public async Task JobFinishedAsync(StageStatus status, DateTimeOffset at)
    {
        if (_run is not { } run || _opening is null) return;
        var store = await (_writing ?? _opening).ConfigureAwait(false);
        if (store is null) return;
        using (store) Write(store, Job(run, status, at), TakePending(), totals: true);
    }

    /// <summary>Writes a batch in one transaction; hands the store on, or warns once and hands on null.</summary>
    private CatalogStore? Write(CatalogStore? store, JobRow job, List<StageOutcome> batch, bool totals)
    {
        if (store is null) return null;
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
