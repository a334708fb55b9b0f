using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Integrity;

/// <summary>
/// "running" in a manifest is only true while a run holds the job's lock; with the lock free it is the trace of a run
/// that was killed (SIGKILL, power loss) before it could record how its stages ended.
/// </summary>
internal static class RunStateCheck
{
    public static void Check(JobLayout layout, JobManifest job, IReadOnlyDictionary<string, StageManifest> manifests, FindingSink sink)
    {
        var runningStages = job.Stages
            .Where(s => s.Status == "running" || (manifests.TryGetValue(s.StageId, out var m) && m.Status == "running"))
            .Select(s => s.StageId).ToList();
        if (job.Status != "running" && runningStages.Count == 0) return;
        if (RunLock.IsHeld(layout, out var holder))
        {
            sink.Add(new Finding(FindingSeverity.Info, "run_in_progress", $"a run holds the job ({holder?.Describe() ?? "another process"}): files may change while verify reads them")
            {
                Hint = "verify again when the run has finished",
            });
            return;
        }
        var who = holder is null ? "" : $" ({holder.Describe()} ended without releasing it)";
        var hint = $"run the pipeline again with --job-id {layout.JobId} to finish the job";
        if (job.Status == "running")
            sink.Add(new Finding(FindingSeverity.Error, "interrupted_run", $"the job manifest says 'running' but no run holds the job: interrupted run{who}") { Path = "manifest.json", Field = "status", Actual = "running", Hint = hint });
        foreach (var stage in runningStages)
            sink.Add(new Finding(FindingSeverity.Error, "interrupted_run", $"{stage} says 'running' but no run holds the job: interrupted run; its outputs are not accounted for") { Stage = stage, Field = "status", Actual = "running", Hint = hint });
    }
}
