using System.Text.Json.Nodes;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>
/// A run killed after it wrote job-level files and before its job manifest. A run writes metadata.json, then the pipeline
/// snapshot (run.json deleted, pipeline.yaml written, run.json written last with its run id and pipeline.yaml's
/// checksum), then the job manifest, whose seals are of the files as written. Files that name a run other than the job
/// manifest's are that killed run's: their seals are the run's before, and they are checked against each other instead.
/// </summary>
/// <param name="SnapshotIsItsOwn">The whole snapshot is the killed run's: run.json names it and pipeline.yaml is the file
/// run.json recorded. False when the kill came before run.json was written: the snapshot there is the run's before.</param>
internal sealed record InterruptedRun(string RunId, bool SnapshotIsItsOwn)
{
    /// <summary>The run that wrote job-level files after the job manifest's run; null when none did.</summary>
    public static InterruptedRun? Find(JobLayout layout, JobManifest job)
    {
        var run = JobRecords.TryReadObject(layout.SnapshotRunPath, JobRecords.RunInfoMaxBytes);
        var snapshotRun = Text(run?["run_id"]);
        var latest = Text(JobRecords.TryReadObject(layout.MetadataPath, JobRecords.MetadataMaxBytes)?["last_run_id"]) ?? snapshotRun;
        if (latest is null || latest == job.RunId) return null;
        return new InterruptedRun(latest, snapshotRun == latest && Matches(layout.SnapshotPath, Text(run?["pipeline_checksum"])));
    }

    /// <summary>Whether the file holds what <paramref name="checksum"/> says (false when there is no checksum or no file).</summary>
    private static bool Matches(string path, string? checksum)
    {
        if (checksum is null) return false;
        try
        {
            return IO.BoundedFileRead.TryReadAllBytes(path, JobFiles.MaxBytes, out var bytes)
                && string.Equals(Hashing.ContentHash.Of(Integrity.RecordedChecksum.AlgorithmOf(checksum), bytes), checksum,
                    StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;
}
