using Waybill.Core.Hashing;
using Waybill.Core.Integrity;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline.FanOut;

namespace Waybill.Core.Retention;

/// <summary>
/// <c>waybill clean</c>: deletes retained intermediates or a stage's outputs and leaves a tombstone in each record
/// (checksum and size kept, <c>deleted_at</c> and <c>deleted_reason</c> set), so the job still says what was there
/// and <c>waybill verify</c> tells a deliberate deletion from a lost file. Holds the run lock: never while a run writes.
/// </summary>
public static class JobCleaner
{
    private sealed record Target(int StageIndex, StageManifest Manifest, FileRecord Record, PathVerdict.Deletable Where);

    /// <exception cref="CleanRefusedException">Unknown stage, or a recorded path that is not safe to delete; nothing was deleted.</exception>
    /// <exception cref="JobLockedException">A run holds the job.</exception>
    public static CleanResult Clean(JobLayout layout, CleanRequest request, TimeProvider time)
    {
        if (JobFolderLinks.RecordFoldersProblem(layout) is { } linkedOut) throw new CleanRefusedException(linkedOut);
        // A dry run changes nothing, so it neither needs the lock nor writes its info file.
        using var held = request.DryRun ? null : RunLock.Acquire(layout, "clean");
        var job = JobJournalFile.ReadJob(layout);
        if (JobManifestSeal.Changed(layout) is { } edited)
            throw new CleanRefusedException($"manifest.json was changed after the run wrote it ({edited}): clean would seal the change",
                $"run 'waybill verify {layout.JobId}' to see what changed, then run the pipeline again with --job-id {layout.JobId}");
        var stages = SelectStages(job, request);
        var realRoot = RealPath.Of(layout.Root);

        var targets = new List<Target>();
        var kept = new List<KeptFile>();
        var refused = new List<string>();
        foreach (var index in stages)
        {
            var summary = job.Stages[index];
            // Clean rewrites the stage's manifest: never through a stage folder that leads out of the job.
            if (JobFolderLinks.StageFolderProblem(layout, summary.StageId) is { } linked)
            {
                refused.Add(linked);
                continue;
            }
            var manifestPath = layout.Resolve(summary.Manifest ?? JobLayout.StageManifestRelative(summary.StageId));
            if (!File.Exists(manifestPath))
            {
                // Items of a fan-out that never ran (after one failed) have nothing to delete; one stage named alone must have.
                if (request.Scope == CleanScope.Outputs && stages.Count == 1)
                    throw new CleanRefusedException($"stage {summary.StageId} has no manifest ({manifestPath}): it never ran, so it has no outputs to delete");
                continue;
            }
            // Resealing an edited manifest would make the edit look genuine: clean only rewrites manifests verify would trust.
            if (summary.ManifestChecksum is { } sealedChecksum && !string.Equals(FileHasher.Compute(manifestPath, RecordedChecksum.AlgorithmOf(sealedChecksum)), sealedChecksum, StringComparison.OrdinalIgnoreCase))
            {
                refused.Add($"{summary.StageId}: its manifest was changed after the run wrote it (run 'waybill verify {layout.JobId}'); clean would seal the change");
                continue;
            }
            var manifest = ManifestJson.ReadStage(manifestPath);
            var records = request.Scope == CleanScope.Outputs ? manifest.Outputs : manifest.IntermediateFiles.Where(f => f.Retained == true);
            foreach (var record in records.Where(r => r.DeletedAt is null))
            {
                switch (JobPathGuard.Check(layout, realRoot, record))
                {
                    case PathVerdict.Deletable where:
                        targets.Add(new Target(index, manifest, record, where));
                        break;
                    case PathVerdict.External external:
                        kept.Add(new KeptFile(manifest.StageId, record.Path, external.Why));
                        break;
                    case PathVerdict.Refused no:
                        refused.Add($"{manifest.StageId}: {record.Path}: {no.Why}");
                        break;
                }
            }
        }
        if (refused.Count > 0)
            throw new CleanRefusedException(
                $"refusing to clean job {layout.JobId}; nothing was deleted:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", refused)}",
                "only files recorded inside the job folder are deleted; fix or remove the files named above, or clean other stages with --stage");

        var deleted = new List<CleanedFile>();
        var failed = new List<FailedFile>();
        var done = new List<Target>();
        var now = time.GetUtcNow();
        foreach (var target in targets)
        {
            var (record, where) = (target.Record, target.Where);
            var cleaned = new CleanedFile(target.Manifest.StageId, record.Path, where.Bytes, record.SizeBytes, record.Checksum, where.Missing);
            if (!request.DryRun && !where.Missing)
            {
                try
                {
                    File.Delete(where.FullPath);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    failed.Add(new FailedFile(cleaned.StageId, record.Path, e.Message));
                    continue;
                }
            }
            deleted.Add(cleaned);
            if (request.DryRun) continue;
            record.DeletedAt = now;
            done.Add(target);
            record.DeletedReason = where.Missing ? $"{request.Reason} (file was already missing)" : request.Reason;
            CleanLog.Append(layout, now, cleaned, record.DeletedReason);
        }
        if (!request.DryRun) Tombstone(layout, job, done);
        return new CleanResult(request.DryRun, deleted, kept, failed);
    }

    /// <summary>Each touched stage manifest is rewritten atomically, then the job manifest's seal of it, so verify keeps trusting both.</summary>
    private static void Tombstone(JobLayout layout, JobManifest job, List<Target> done)
    {
        foreach (var group in done.GroupBy(t => t.StageIndex))
        {
            var summary = job.Stages[group.Key];
            var manifestPath = layout.Resolve(summary.Manifest ?? JobLayout.StageManifestRelative(summary.StageId));
            ManifestJson.Write(manifestPath, group.First().Manifest);
            var algorithm = summary.ManifestChecksum is { } previous ? RecordedChecksum.AlgorithmOf(previous) : ChecksumAlgorithm.XxHash128;
            summary.ManifestChecksum = FileHasher.Compute(manifestPath, algorithm);
            JobManifestSeal.WriteWhole(layout, job, algorithm);
        }
    }

    private static List<int> SelectStages(JobManifest job, CleanRequest request)
    {
        if (request.Stage is not { } wanted)
        {
            return request.Scope == CleanScope.Outputs
                ? throw new CleanRefusedException("cleaning outputs needs a stage", "name it: --outputs-of <stage id or name>")
                : [.. Enumerable.Range(0, job.Stages.Count)];
        }
        // An item is 06_asr[ep-01]; a fan-out stage's plain id or name stands for all its items.
        var match = StageAddress.Resolve([.. job.Stages.Select(s => new StageRef(s.StageId, s.Stage))], wanted);
        if (match.UnknownStage) throw new CleanRefusedException($"job {job.JobId} has no stage '{wanted}'", match.Hint);
        if (match.Problem is not null) throw new CleanRefusedException($"job {job.JobId}: {match.Problem}", match.Hint);
        var ids = match.Ids.ToHashSet(StringComparer.Ordinal);
        return [.. Enumerable.Range(0, job.Stages.Count).Where(i => ids.Contains(job.Stages[i].StageId))];
    }
}
