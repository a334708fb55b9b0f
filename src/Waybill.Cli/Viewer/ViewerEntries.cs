using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline.FanOut;
using Waybill.Cli.Commands;

namespace Waybill.Cli.Viewer;

/// <summary>
/// What the stage pane lists: the pipeline log first, then the job's stage runs in the job manifest's order (with the
/// journal replayed, so a running job's statuses are current), a fan-out's items under their stage.
/// </summary>
internal static class ViewerEntries
{
    public static List<ViewerEntry> Read(JobLayout layout, out string jobStatus)
    {
        jobStatus = "unknown";
        var entries = new List<ViewerEntry> { new("pipeline log", "", layout.LatestPipelineLog(), null, false) };
        List<(string Id, string Name, string Status)> stages;
        try
        {
            var job = File.Exists(layout.JobManifestPath) ? JobJournalFile.ReadJob(layout) : null;
            jobStatus = job?.Status ?? jobStatus;
            stages = job is null
                ? [.. JobStages.Of(layout).Select(s => (s.Id, s.Name, "?"))]
                : [.. job.Stages.Select(s => (s.StageId, s.Stage, s.Status))];
        }
        catch (Exception e) when (e is ManifestFormatException or IOException)
        {
            stages = [.. JobStages.Of(layout).Select(s => (s.Id, s.Name, "?"))];
        }
        foreach (var (id, name, status) in stages)
        {
            var item = ItemKeys.TrySplit(id, out _, out var key);
            var category = "stage." + name + (item ? ":" + key : "");
            entries.Add(new ViewerEntry(item ? "  " + key : id, status, layout.StageLogPath(id), category, item));
        }
        return entries;
    }
}
