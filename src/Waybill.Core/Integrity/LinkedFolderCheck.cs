using Waybill.Core.Jobs;

namespace Waybill.Core.Integrity;

/// <summary>
/// A stage folder, logs/ or .waybill/ replaced by a symbolic link that leads out of the job: what lies behind it is not
/// the job's record (the engine refuses to write through such a link), so it is reported and not read.
/// </summary>
internal static class LinkedFolderCheck
{
    public const string Kind = "linked_out_of_job";

    /// <summary>True when the stage folder links out of the job: its manifest, log and outputs are then not read.</summary>
    public static bool StageLinkedOut(JobLayout layout, string stageId, FindingSink sink) =>
        Report(layout, stageId, stageId, $"the stage folder {stageId}", sink);

    /// <summary>True when logs/ links out of the job: the run logs and events.jsonl are then not read.</summary>
    public static bool LogsLinkedOut(JobLayout layout, FindingSink sink) =>
        Report(layout, null, "logs", "logs/", sink);

    /// <summary>True when .waybill/ links out of the job (the lock, the pipeline snapshot and the stat cache).</summary>
    public static bool StateLinkedOut(JobLayout layout, FindingSink sink) =>
        Report(layout, null, ".waybill", ".waybill/", sink);

    private static bool Report(JobLayout layout, string? stageId, string relative, string name, FindingSink sink)
    {
        var link = layout.Resolve(relative);
        if (JobFolderLinks.OutsideTarget(layout, link) is not { } outside) return false;
        sink.Add(new Finding(FindingSeverity.Error, Kind,
            $"{name} is a symbolic link to {outside}, outside the job folder: what it holds is not the job's record and was not read")
        {
            Stage = stageId,
            Path = relative,
            Actual = outside,
            Hint = $"replace the link with a real folder (move what it points to back to {link}, or delete the link), "
                + $"then run the pipeline again with --job-id {layout.JobId}",
        });
        return true;
    }
}
