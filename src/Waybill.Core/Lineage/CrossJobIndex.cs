using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Lineage;

/// <summary>A file another job produced or read, found by its checksum.</summary>
public sealed record CrossJobFile(string JobId, string JobRoot, string StageId, string StageName, string Status, double DurationSeconds, string? RunId, string? Name, string Path);

/// <summary>
/// The outputs and external inputs of other jobs, by checksum. Their manifests are read on the first lookup only,
/// and a job or stage manifest that cannot be read is reported through <c>warn</c> and left out, never fatal:
/// a neighbour's damaged folder must not stop this job's lineage.
/// </summary>
public sealed class CrossJobIndex
{
    private readonly IReadOnlyList<string> _jobFolders;
    private readonly Action<string> _warn;
    private Dictionary<string, List<CrossJobFile>>? _outputs;
    private Dictionary<string, List<CrossJobFile>>? _inputs;

    public CrossJobIndex(IEnumerable<string> jobFolders, Action<string> warn)
    {
        _jobFolders = [.. jobFolders];
        _warn = warn;
    }

    /// <summary>Job folders to search: the siblings of <paramref name="job"/> and every folder in <paramref name="searchFolders"/>,
    /// each either a job folder itself or a folder of job folders. The job itself is left out.</summary>
    public static IReadOnlyList<string> CandidateFolders(JobLayout job, IEnumerable<string> searchFolders)
    {
        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { job.Root };
        void Add(string folder)
        {
            var full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
            if (seen.Add(full) && File.Exists(Path.Combine(full, "manifest.json"))) found.Add(full);
        }
        void AddChildren(string folder)
        {
            if (!Directory.Exists(folder)) return;
            foreach (var child in Directory.GetDirectories(folder).Order(StringComparer.Ordinal)) Add(child);
        }
        if (Path.GetDirectoryName(job.Root) is { } parent) AddChildren(parent);
        foreach (var folder in searchFolders)
        {
            if (File.Exists(Path.Combine(folder, "manifest.json"))) Add(folder);
            else AddChildren(folder);
        }
        return found;
    }

    public IReadOnlyList<CrossJobFile> ProducersOf(string checksum)
    {
        Build();
        return _outputs!.TryGetValue(checksum, out var files) ? files : [];
    }

    public IReadOnlyList<CrossJobFile> ReadersOf(string checksum)
    {
        Build();
        return _inputs!.TryGetValue(checksum, out var files) ? files : [];
    }

    private void Build()
    {
        if (_outputs is not null) return;
        _outputs = new(StringComparer.Ordinal);
        _inputs = new(StringComparer.Ordinal);
        foreach (var folder in _jobFolders) IndexJob(folder);
    }

    private void IndexJob(string folder)
    {
        var layout = new JobLayout(folder);
        JobManifest job;
        try
        {
            job = JobJournalFile.ReadJob(layout);
        }
        catch (Exception e) when (e is ManifestFormatException or IOException or UnauthorizedAccessException)
        {
            _warn($"skipped job folder {folder}: its manifest.json cannot be read ({e.Message})");
            return;
        }
        foreach (var summary in job.Stages)
        {
            var path = layout.StageManifestPath(summary.StageId);
            if (!File.Exists(path)) continue;
            StageManifest stage;
            try
            {
                stage = ManifestJson.ReadStage(path);
            }
            catch (Exception e) when (e is ManifestFormatException or IOException or UnauthorizedAccessException)
            {
                _warn($"skipped stage {summary.StageId} of job {job.JobId}: {e.Message}");
                continue;
            }
            foreach (var output in stage.Outputs.Concat(stage.IntermediateFiles.Where(f => f.Retained == true)))
                Add(_outputs!, job, layout, stage, output);
            foreach (var input in stage.Inputs.Where(f => f.Location == "external"))
                Add(_inputs!, job, layout, stage, input);
        }
    }

    private static void Add(Dictionary<string, List<CrossJobFile>> index, JobManifest job, JobLayout layout, StageManifest stage, FileRecord file)
    {
        if (!LinksByChecksum(file.Checksum, file.SizeBytes)) return;
        if (!index.TryGetValue(file.Checksum!, out var list)) index[file.Checksum!] = list = [];
        list.Add(new CrossJobFile(job.JobId, layout.Root, stage.StageId, stage.Stage, stage.Status, stage.DurationSeconds, stage.RunId, file.Name, file.Path));
    }

    /// <summary>Equal checksums link files only when they say something: every empty file has the same checksum.</summary>
    public static bool LinksByChecksum(string? checksum, long? sizeBytes) => checksum is not null && sizeBytes is not 0;
}
