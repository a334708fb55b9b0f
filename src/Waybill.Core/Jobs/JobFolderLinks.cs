using Waybill.Core.IO;
using Waybill.Core.Retention;

namespace Waybill.Core.Jobs;

/// <summary>
/// The engine writes its records (stage.log and manifest.json in a stage folder; the run logs in logs/; the lock, the
/// pipeline snapshot and the stat cache in .waybill/) only inside the job folder. Such a folder replaced by a symbolic
/// link that leads out of the job would make it write them where the job does not own them, so it is refused, as outputs
/// reached through such a link are. The job folder itself may live anywhere (a linked out/ is fine).
/// </summary>
public static class JobFolderLinks
{
    /// <summary>Null unless the stage folder is a link out of the job. Costs one lstat when it is not a link.</summary>
    public static string? StageFolderProblem(JobLayout layout, string stageId) =>
        Problem(layout, layout.StageDir(stageId), $"the stage folder {stageId}", "stage.log and manifest.json");

    /// <summary>Null unless logs/ or .waybill/ is a link out of the job. Two lstats when neither is a link.</summary>
    public static string? RecordFoldersProblem(JobLayout layout) =>
        Problem(layout, layout.LogsDir, "logs/", "the run's logs")
        ?? Problem(layout, layout.StateDir, ".waybill/", "the run lock, the pipeline snapshot and the stat cache");

    /// <summary>
    /// Where <paramref name="folder"/> leads when it is a symbolic link out of the job; null when it is not (one lstat).
    /// </summary>
    public static string? OutsideTarget(JobLayout layout, string folder)
    {
        if (PathEntry.KindOf(folder) != EntryKind.SymbolicLink) return null;
        try
        {
            return RealPath.OutsideOf(folder, layout.Root);
        }
        catch (IOException e)
        {
            return $"a place that cannot be resolved ({e.Message})";
        }
    }

    private static string? Problem(JobLayout layout, string folder, string name, string records)
    {
        if (OutsideTarget(layout, folder) is not { } outside) return null;
        return $"{name} of job {layout.JobId} is a symbolic link to {outside}, outside the job folder {layout.Root}; "
            + $"Waybill writes {records} only inside the job folder, so nothing was written through it: "
            + $"replace the link with a real folder (move what it points to back to {folder}, or delete the link) and run again";
    }
}
