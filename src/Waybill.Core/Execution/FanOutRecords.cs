using System.Text.Json.Nodes;
using Waybill.Core.Hashing;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>
/// The record of a dynamic fan-out: its manifest (<c>NN_name/manifest.json</c>, beside its items' folders) names the list
/// its items came from, with checksum, and how many there were; a list that gives no items fails it, with the reason in
/// <c>errors</c>. A rerun that reads the same list into the same items leaves it as it is.
/// </summary>
internal static class FanOutRecords
{
    public static StageOutcome Record(StageInvocation invocation, RunServices services, StageStatus status, string reason, FileRecord? list, int items)
    {
        var text = services.Redactor.Redact(reason);
        return StageRunner.RecordNotRun(invocation, services, status, text, manifest =>
        {
            if (list is not null) manifest.Inputs.Add(list);
            manifest.Summary = new JsonObject { ["items"] = items };
            if (status == StageStatus.Failed) manifest.Errors.Add(new ProblemRecord { Timestamp = manifest.StartedUtc, Message = text });
        });
    }

    /// <summary>
    /// The fan-out's record as a rerun that read the same list into the same items finds it: the manifest a run wrote when
    /// it read that list (its path and checksum) into as many items of the same form, left as it is and shown as up to
    /// date. Null when the record must be written again: no record, an unreadable one, a failed one, another list or another
    /// reading of it, or a stage folder that links out of the job.
    /// </summary>
    public static StageOutcome? Unchanged(StageInvocation invocation, RunServices services, FileRecord? list, string reason)
    {
        var (layout, stageId) = (invocation.Layout, invocation.Stage.Id);
        var path = layout.StageManifestPath(stageId);
        if (list is null || JobFolderLinks.StageFolderProblem(layout, stageId) is not null || !File.Exists(path)) return null;
        StageManifest previous;
        string checksum;
        try
        {
            previous = ManifestJson.ReadStage(path, services.Checksums.Algorithm, out checksum);
        }
        catch (ManifestFormatException)
        {
            return null;
        }
        if (previous.Status != StageStatus.Success.ToText() || previous.StatusReason != services.Redactor.Redact(reason)
            || previous.Inputs is not [{ } read] || read.Path != list.Path || read.Checksum != list.Checksum)
            return null;
        var producer = previous.ProducedBy?.RunId ?? previous.RunId;
        var why = $"{Caching.StageDecision.UpToDate}: the same list read into the same items since run {producer}";
        var view = UpToDateRecord.View(previous, invocation.RunId, [why]);
        return new StageOutcome(stageId, StageStatus.Skipped, Caching.StageDecision.UpToDate, 0, view)
        {
            LeftUntouched = true,
            ManifestChecksum = checksum,
        };
    }

    /// <summary>The list file as an input record, or null when it is not there.</summary>
    public static FileRecord? ListRecord(JobLayout layout, string path, ChecksumAlgorithm algorithm)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return null;
        return new FileRecord
        {
            Name = "items",
            Type = "file",
            Path = layout.RelativeToJob(path) ?? path,
            Location = "job",
            Format = StageContext.FormatOf(path),
            SizeBytes = info.Length,
            Mtime = new DateTimeOffset(info.LastWriteTimeUtc),
            Checksum = FileHasher.Compute(path, algorithm),
        };
    }
}
