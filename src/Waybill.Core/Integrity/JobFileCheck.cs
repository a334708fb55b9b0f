using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Integrity;

/// <summary>
/// The job-level files against their seals: manifest.json against <c>.waybill/manifest.checksum</c>, metadata.json and
/// the pipeline snapshot against the job manifest's <c>job_files</c>. An edited snapshot matters most: resume and
/// exec-stage would run what it says.
/// </summary>
internal static class JobFileCheck
{
    public static void Check(JobLayout layout, JobManifest job, FindingSink sink)
    {
        sink.FileChecked();
        if (JobManifestSeal.Changed(layout) is { } how)
        {
            sink.Add(new Finding(FindingSeverity.Error, "manifest_changed", $"manifest.json was changed after the run wrote it: {how}")
            {
                Path = "manifest.json",
                Hint = "a job manifest edited by hand no longer describes the run: "
                    + $"run the pipeline again with --job-id {layout.JobId} to rewrite it",
            });
        }
        else if (JobManifestSeal.Recorded(layout).Count == 0)
        {
            sink.Add(new Finding(FindingSeverity.Info, "not_sealed",
                "manifest.json not checked: no .waybill/manifest.checksum (written by an older Waybill)")
            {
                Path = "manifest.json",
            });
        }

        // Job-level files a killed run rewrote differ from their seals for that reason alone: said once, and not checked.
        var interrupted = Execution.InterruptedRun.Find(layout, job);
        if (interrupted is { } run)
        {
            sink.Add(new Finding(FindingSeverity.Error, "interrupted_run",
                $"run {run.RunId} was stopped before it wrote its job manifest: "
                + (run.SnapshotIsItsOwn ? "metadata.json and the pipeline snapshot are its"
                    : run.SnapshotIncomplete ? "metadata.json is its, and its pipeline snapshot is incomplete (no .waybill/run.json)"
                    : "metadata.json is its")
                + $", manifest.json still describes run {job.RunId}")
            {
                Path = "metadata.json",
                Field = "last_run_id",
                Expected = job.RunId,
                Actual = run.RunId,
                Hint = $"run the pipeline again with --job-id {layout.JobId} to finish the job",
            });
        }
        for (var i = 0; i < job.JobFiles.Count; i++)
        {
            var seal = job.JobFiles[i];
            if (interrupted is not null && seal.Path == "metadata.json") continue;
            var snapshotNotSealed = interrupted is { SnapshotIsItsOwn: true } or { SnapshotIncomplete: true };
            if (snapshotNotSealed && seal.Path.StartsWith(".waybill/", StringComparison.Ordinal)) continue;
            sink.FileChecked();
            string? now;
            try
            {
                now = JobFiles.Difference(layout, seal);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                sink.Add(new Finding(FindingSeverity.Error, "job_file_unreadable", $"{seal.Path} cannot be read: {e.Message}")
                {
                    Path = seal.Path,
                    Field = $"job_files[{i}]",
                });
                continue;
            }
            if (now is null) continue;
            var snapshot = seal.Path.StartsWith(".waybill/", StringComparison.Ordinal);
            var consequence = snapshot ? "; resume and exec-stage refuse to run from it" : "";
            sink.Add(new Finding(FindingSeverity.Error, now == "missing" ? "job_file_missing" : "job_file_changed",
                now == "missing" ? $"{seal.Path} is missing{consequence}" : $"{seal.Path} was changed after the run wrote it{consequence}")
            {
                Path = seal.Path,
                Field = $"job_files[{i}].checksum",
                Expected = seal.Checksum,
                Actual = now == "missing" ? null : now,
                Hint = $"restore the file, or run the pipeline again with --job-id {layout.JobId} to write it anew",
            });
        }
    }
}
