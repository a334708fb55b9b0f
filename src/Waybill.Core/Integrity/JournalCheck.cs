using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Integrity;

/// <summary>
/// The job journal (<c>.waybill/journal.jsonl</c>) is appended line by line and no checksum covers it, so verify reads
/// it only where a run could have left it: while the job manifest says <c>running</c> (a live or killed run). Then every
/// stage seal it changes is reported, as it holds only on the journal's word. After a run ended and wrote manifest.json
/// whole, a journal that would change anything is no record of that run: an error, and it is not read.
/// </summary>
internal static class JournalCheck
{
    private const string Relative = ".waybill/journal.jsonl";

    /// <summary>Replays the journal over <paramref name="job"/> where its run may have left one; reports what it may not be trusted for.</summary>
    public static void Replay(JobLayout layout, JobManifest job, FindingSink sink)
    {
        if (job.Status != "running")
        {
            LeftOver(layout, job, sink);
            return;
        }
        var sealedBefore = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var stage in job.Stages) sealedBefore.TryAdd(stage.StageId, stage.ManifestChecksum);
        if (JobJournalFile.Replay(layout, job) == 0) return;
        for (var i = 0; i < job.Stages.Count; i++)
        {
            var stage = job.Stages[i];
            if (stage.ManifestChecksum is null || (sealedBefore.TryGetValue(stage.StageId, out var was) && was == stage.ManifestChecksum)) continue;
            sink.Add(new Finding(FindingSeverity.Warning, "journal_unsealed",
                $"the checksum of {stage.StageId}'s manifest comes from {Relative}, which no checksum seals (the run has not written manifest.json "
                + "whole since): the manifest is checked against it, but an edit of both would not show")
            {
                Stage = stage.StageId,
                Path = Relative,
                Field = $"stages[{i}].manifest_checksum",
                Actual = stage.ManifestChecksum,
                Hint = $"let the run finish, or run 'waybill resume {layout.JobId}' after a killed run, to seal the job manifest",
            });
        }
    }

    private static void LeftOver(JobLayout layout, JobManifest job, FindingSink sink)
    {
        JobManifest replayed;
        try
        {
            replayed = ManifestJson.ReadJob(layout.JobManifestPath);
        }
        catch (Exception e) when (e is ManifestFormatException or IOException or UnauthorizedAccessException)
        {
            return; // read a moment ago: a problem now is reported where the manifest is checked
        }
        // A run killed between writing manifest.json whole and deleting the journal leaves lines it already holds.
        if (JobJournalFile.Replay(layout, replayed) == 0) return;
        if (ManifestJson.Serialize(replayed).AsSpan().SequenceEqual(ManifestJson.Serialize(job))) return;
        var recorded = job.Stages.ToDictionary(s => s.StageId, s => (s.Status, s.ManifestChecksum), StringComparer.Ordinal);
        var changed = replayed.Stages
            .Where(s => !recorded.TryGetValue(s.StageId, out var was) || was != (s.Status, s.ManifestChecksum))
            .Select(s => s.StageId).ToList();
        var named = changed.Count == 0 ? "" : $" ({string.Join(", ", changed.Take(5))}{(changed.Count > 5 ? $" and {changed.Count - 5} more" : "")})";
        sink.Add(new Finding(FindingSeverity.Error, "journal_left_over",
            $"{Relative} would change stage entries{named} of a run that ended '{job.Status}' and wrote manifest.json whole, "
            + "so it is no record of that run: it was not read")
        {
            Path = Relative,
            Field = "status",
            Actual = job.Status,
            Hint = $"delete {Relative} if manifest.json is the record you trust, or run the pipeline again with --job-id {layout.JobId}",
        });
    }
}
