using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;

namespace Waybill.Catalog;

/// <summary>
/// Indexes a run into the catalog when it ends: one transaction with the job and every stage run it finished. The catalog
/// is opened while the stages run, so the run's end waits only for the write. A catalog that cannot be opened or
/// written costs the run one warning, never its result: the job folder holds everything, and
/// <c>waybill catalog rebuild</c> indexes it later.
/// </summary>
internal sealed class CatalogObserver(CatalogTarget target, TimeProvider time) : IRunObserver
{
    private readonly List<StageOutcome> _finished = [];
    private RunStarted? _run;
    private Task<CatalogStore?>? _opening;
    private bool _warned;

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
        if (!outcome.LeftUntouched) _finished.Add(outcome);
    }

    public async Task JobFinishedAsync(StageStatus status, DateTimeOffset at)
    {
        if (_run is not { } run || _opening is null) return;
        using var store = await _opening;
        if (store is null) return;
        try
        {
            var first = _finished.Count > 0 ? _finished[0].Manifest : null;
            var job = new JobRow(Path.GetFullPath(run.Layout.Root), run.Layout.JobId, run.Pipeline.Name, run.RunId, status.ToText(), run.At, at,
                (at - run.At).TotalSeconds, first?.Host ?? Environment.MachineName, first?.WaybillVersion);
            var stages = _finished.Select(o => ManifestRows.From(o.Manifest, ManifestRows.Relative(o.StageId))).ToList();
            store.Index(job, stages);
        }
        catch (Exception e) when (e is CatalogException or System.Data.Common.DbException or IOException or InvalidOperationException)
        {
            Warn(run.Log, e);
        }
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
