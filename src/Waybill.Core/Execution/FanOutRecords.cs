using System.Text.Json.Nodes;
using Waybill.Core.Hashing;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>
/// The record of a dynamic fan-out: its manifest (<c>NN_name/manifest.json</c>, beside its items' folders) names the list
/// its items came from, with checksum, and how many there were; a list that gives no items fails it, with the reason in
/// <c>errors</c>.
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
