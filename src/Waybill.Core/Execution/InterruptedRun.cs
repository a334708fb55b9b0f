using System.Text.Json.Nodes;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>
/// A run killed after it wrote job-level files and before its job manifest. A run writes metadata.json, then the pipeline
/// snapshot (run.json deleted, pipeline.yaml written, run.json written last with its job, its run and the checksum of
/// both files' content), then the job manifest, whose seals are of the files as written. Files that name a run other
/// than the job manifest's are that killed run's: their seals are the run's before, and they are checked against each
/// other instead.
/// </summary>
/// <param name="SnapshotIsItsOwn">The whole snapshot is the killed run's: run.json names it and its checksum holds for
/// both files. False when the kill came before run.json was written: the snapshot there is the run's before, or
/// incomplete.</param>
/// <param name="SnapshotIncomplete">run.json is missing: the run was killed while it wrote the snapshot.</param>
internal sealed record InterruptedRun(string RunId, bool SnapshotIsItsOwn, bool SnapshotIncomplete)
{
    /// <summary>The run that wrote job-level files after the job manifest's run; null when none did.</summary>
    public static InterruptedRun? Find(JobLayout layout, JobManifest job)
    {
        var run = JobRecords.TryReadObject(layout.SnapshotRunPath, JobRecords.RunInfoMaxBytes);
        var snapshotRun = Text(run?["run_id"]);
        var latest = Text(JobRecords.TryReadObject(layout.MetadataPath, JobRecords.MetadataMaxBytes)?["last_run_id"]) ?? snapshotRun;
        if (latest is null || latest == job.RunId) return null;
        return new InterruptedRun(latest, snapshotRun == latest && SnapshotIsWhole(layout, run) == true, !File.Exists(layout.SnapshotRunPath));
    }

    /// <summary>
    /// Whether pipeline.yaml and run.json are the record one run of this job wrote together, as run.json's
    /// <c>snapshot_checksum</c> says: false when either was edited or they came from another job; null when run.json is
    /// missing, unreadable or written by a Waybill that recorded no checksum.
    /// </summary>
    public static bool? SnapshotIsWhole(JobLayout layout, JsonObject? run = null)
    {
        run ??= JobRecords.TryReadObject(layout.SnapshotRunPath, JobRecords.RunInfoMaxBytes);
        if (run is null || Text(run["snapshot_checksum"]) is not { } recorded) return null;
        if (Text(run["job_id"]) != layout.JobId) return false;
        var rest = (JsonObject)run.DeepClone();
        rest.Remove("snapshot_checksum");
        try
        {
            return IO.BoundedFileRead.TryReadAllBytes(layout.SnapshotPath, JobFiles.MaxBytes, out var yaml)
                && string.Equals(JobRecords.SnapshotChecksum(Integrity.RecordedChecksum.AlgorithmOf(recorded), yaml, rest), recorded,
                    StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A string field as the engine wrote it; null for anything else.</summary>
    private static string? Text(JsonNode? node)
    {
        try
        {
            return node is JsonValue value && value.TryGetValue(out string? text) ? text : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
