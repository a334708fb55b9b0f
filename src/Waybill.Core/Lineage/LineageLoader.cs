using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Lineage;

/// <summary>Builds a job's lineage graph from its job manifest and stage manifests, and links it to other jobs by checksum.</summary>
public static class LineageLoader
{
    /// <summary>Reads the job at <paramref name="layout"/>. A damaged manifest of this job throws
    /// <see cref="ManifestFormatException"/>; other jobs are looked up in <paramref name="otherJobs"/> when given.</summary>
    public static LineageGraph Load(JobLayout layout, CrossJobIndex? otherJobs)
    {
        var job = JobJournalFile.ReadJob(layout);
        var stages = job.Stages.OrderBy(s => s.StageNumber).ThenBy(s => s.StageId, StringComparer.Ordinal)
            .Select(s => (Summary: s, Manifest: System.IO.File.Exists(layout.StageManifestPath(s.StageId)) ? ManifestJson.ReadStage(layout.StageManifestPath(s.StageId)) : null));
        return Build(job, layout.Root, stages, otherJobs);
    }

    /// <summary>The graph of manifests already in memory; a stage without a manifest (never started) is a node without files.</summary>
    public static LineageGraph Build(JobManifest job, string jobRoot, IEnumerable<(JobStageSummary Summary, StageManifest? Manifest)> stages, CrossJobIndex? otherJobs)
    {
        var graph = new LineageGraph(job.JobId, jobRoot) { Pipeline = job.Pipeline, JobStatus = job.Status };
        foreach (var (summary, manifest) in stages) AddStage(graph, job, summary, manifest);
        if (otherJobs is not null) LinkOtherJobs(graph, otherJobs);
        return graph;
    }

    private static void AddStage(LineageGraph graph, JobManifest job, JobStageSummary summary, StageManifest? manifest)
    {
        var stage = graph.GetOrAdd(LineageGraph.StageKey(summary.StageId), key => new StageNode
        {
            Key = key,
            JobId = job.JobId,
            StageId = summary.StageId,
            Name = manifest?.Stage ?? summary.Stage,
            Status = manifest?.Status ?? summary.Status,
            StatusReason = manifest?.StatusReason ?? summary.StatusReason,
            DurationSeconds = manifest?.DurationSeconds ?? summary.DurationSeconds,
            RunId = manifest?.RunId,
            Kind = manifest?.Kind,
            ReusedFrom = manifest?.ReusedFrom is { } reused ? $"job {reused.Job} stage {reused.Stage}, run {reused.Run}" : null,
        });
        if (manifest is null) return;
        foreach (var input in manifest.Inputs) graph.Link(FileOf(graph, input, producer: false), stage, LinkKind.Input, input.Name);
        foreach (var output in manifest.Outputs) graph.Link(stage, FileOf(graph, output, producer: true), LinkKind.Output, output.Name);
        foreach (var kept in manifest.IntermediateFiles.Where(f => f.Retained == true))
        {
            var file = FileOf(graph, kept, producer: true);
            file.IsIntermediate = true;
            graph.Link(stage, file, LinkKind.Intermediate, kept.Name);
        }
    }

    /// <summary>One node per path. The producer's record wins for checksum and size: a reader may have seen an older copy.</summary>
    private static FileNode FileOf(LineageGraph graph, FileRecord record, bool producer)
    {
        var created = false;
        var file = graph.GetOrAdd(LineageGraph.FileKey(record.Path), key =>
        {
            created = true;
            return new FileNode { Key = key, Path = record.Path, Location = record.Location };
        });
        if (created || producer)
        {
            file.Type = record.Type;
            file.Checksum = record.Checksum ?? file.Checksum;
            file.SizeBytes = record.SizeBytes ?? file.SizeBytes;
        }
        if (record.DeletedAt is not null && (file.DeletedAt is null || producer))
        {
            file.DeletedAt = record.DeletedAt;
            file.DeletedReason = record.DeletedReason;
        }
        return file;
    }

    private static void LinkOtherJobs(LineageGraph graph, CrossJobIndex otherJobs)
    {
        // Snapshot first: linking adds other-job stage nodes to the list being walked.
        foreach (var file in graph.Files.ToList())
        {
            if (!CrossJobIndex.LinksByChecksum(file.Checksum, file.SizeBytes)) continue;
            if (file.IsExternal)
            {
                foreach (var producer in otherJobs.ProducersOf(file.Checksum!))
                    graph.Link(OtherJobStage(graph, producer), file, LinkKind.ProducedByOtherJob, producer.Name, producer.Path);
            }
            else
            {
                foreach (var reader in otherJobs.ReadersOf(file.Checksum!))
                    graph.Link(file, OtherJobStage(graph, reader), LinkKind.ReadByOtherJob, reader.Name, reader.Path);
            }
        }
    }

    private static StageNode OtherJobStage(LineageGraph graph, CrossJobFile file) =>
        graph.GetOrAdd(LineageGraph.OtherJobStageKey(file.JobId, file.StageId), key => new StageNode
        {
            Key = key,
            JobId = file.JobId,
            StageId = file.StageId,
            Name = file.StageName,
            Status = file.Status,
            DurationSeconds = file.DurationSeconds,
            RunId = file.RunId,
            IsOtherJob = true,
            JobRoot = file.JobRoot,
        });
}
