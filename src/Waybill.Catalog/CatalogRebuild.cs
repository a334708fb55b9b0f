using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Catalog;

/// <summary>Recreates the catalog's rows from the job folders: the folders are the truth, the catalog an index of them.</summary>
internal static class CatalogRebuild
{
    public static RebuildResult Run(CatalogStore store, IReadOnlyList<string> roots, TimeProvider time)
    {
        var started = time.GetTimestamp();
        var unreadable = new List<string>();
        int jobs = 0, stageRuns = 0;
        var connection = store.Connection;
        using (var transaction = connection.BeginTransaction())
        {
            using var batch = new CatalogWriter.Batch(connection, transaction, time.GetUtcNow());
            foreach (var jobDir in roots.Where(Directory.Exists).SelectMany(JobFolders))
            {
                if (Read(jobDir, unreadable) is not { } read) continue;
                batch.Write(read.Job, read.Stages);
                jobs++;
                stageRuns += read.Stages.Count;
            }
            transaction.Commit();
        }
        var gone = CatalogWriter.MarkGone(connection, MissingJobFolders(store));
        return new RebuildResult(jobs, stageRuns, gone, unreadable, time.GetElapsedTime(started));
    }

    /// <summary>The folders under <paramref name="root"/> that hold a job manifest, in name order.</summary>
    private static IEnumerable<string> JobFolders(string root) =>
        Directory.EnumerateDirectories(Path.GetFullPath(root))
            .Where(d => File.Exists(Path.Combine(d, "manifest.json")))
            .Order(StringComparer.Ordinal);

    private static (JobRow Job, List<StageRunRow> Stages)? Read(string jobDir, List<string> unreadable)
    {
        var layout = new JobLayout(jobDir);
        JobManifest job;
        try
        {
            // A run that was killed, or is still going, has stage outcomes in its journal that manifest.json does not hold yet.
            job = JobJournalFile.ReadJob(layout);
        }
        catch (Exception e) when (e is ManifestFormatException or IOException or UnauthorizedAccessException or FormatException
            or System.Text.Json.JsonException)
        {
            unreadable.Add($"{jobDir}: {e.Message}");
            return null;
        }
        var stages = Core.IO.ParallelReads.Select(job.Stages, summary => Row(layout, job, summary));
        return (ManifestRows.From(job, jobDir), stages);
    }

    private static StageRunRow Row(JobLayout layout, JobManifest job, JobStageSummary summary)
    {
        var relative = summary.Manifest ?? ManifestRows.Relative(summary.StageId);
        var path = layout.Resolve(relative);
        if (!File.Exists(path)) return ManifestRows.From(summary, job, null);
        try
        {
            return ManifestRows.From(ManifestJson.ReadStage(path), relative);
        }
        catch (Exception e) when (e is ManifestFormatException or IOException or UnauthorizedAccessException)
        {
            return ManifestRows.From(summary, job, $"manifest unreadable: {e.Message}");
        }
    }

    private static List<string> MissingJobFolders(CatalogStore store)
    {
        using var command = store.Connection.CreateCommand();
        command.CommandText = "SELECT job_dir FROM jobs WHERE gone = 0";
        using var reader = command.ExecuteReader();
        var missing = new List<string>();
        while (reader.Read())
        {
            var dir = reader.GetString(0);
            if (!Directory.Exists(dir)) missing.Add(dir);
        }
        return missing;
    }
}
