using Waybill.Core.Caching;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>
/// A stage found up to date, as the deciding run sees it: the manifest on disk is left as its producing run wrote it
/// (its run, its status, its stage.log seal), and only the job manifest's stage entry says which run checked it
/// (<c>checked_by_run</c>). Rewriting every manifest and stage.log to say "up to date" made the first no-op rerun of
/// 2,000 stages cost 0.67 s against 0.20 s for the later ones.
/// </summary>
public static class UpToDateRecord
{
    /// <summary>
    /// The record the run keeps in memory (summary table, observers, lineage): the manifest read from disk, turned into
    /// "skipped, up to date in run <paramref name="runId"/>", with what produced its outputs under <c>produced_by</c>.
    /// Never written back.
    /// </summary>
    public static StageManifest View(StageManifest produced, string runId, IReadOnlyList<string> reasons)
    {
        produced.ProducedBy ??= new ProducedBy
        {
            RunId = produced.RunId,
            Attempt = produced.Attempt,
            FinishedUtc = produced.FinishedUtc,
            Status = produced.Status,
            StatusReason = produced.StatusReason,
            DurationSeconds = produced.DurationSeconds,
            CpuSeconds = produced.Resources.CpuSeconds,
        };
        produced.RunId = runId;
        produced.DurationSeconds = 0;
        produced.Status = StageStatus.Skipped.ToText();
        produced.StatusReason = StageDecision.UpToDate;
        produced.Reasons = [.. reasons];
        produced.Resources = new ResourceUsage { MeasuredBy = "in-process" };
        return produced;
    }

    /// <summary>
    /// The same view for a reader (<c>waybill status</c>) that has the job manifest's stage entry: a stage whose entry
    /// was checked by a later run than the one its manifest names is shown as that run decided it.
    /// </summary>
    public static StageManifest ForReader(StageManifest onDisk, JobStageSummary entry) =>
        entry.CheckedByRun is { } checkedBy && onDisk.RunId != checkedBy
            ? View(onDisk, checkedBy, [$"{StageDecision.UpToDate}: unchanged since run {onDisk.ProducedBy?.RunId ?? onDisk.RunId}"])
            : onDisk;
}
