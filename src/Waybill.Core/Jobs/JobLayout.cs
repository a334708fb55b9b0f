namespace Waybill.Core.Jobs;

/// <summary>Every path of a job folder, in one place: <c>out/&lt;job-id&gt;/…</c> as the seeds lay it out.</summary>
public sealed class JobLayout
{
    public JobLayout(string root)
    {
        Root = Path.GetFullPath(root);
        JobId = Path.GetFileName(Root.TrimEnd(Path.DirectorySeparatorChar));
    }

    public string Root { get; }
    public string JobId { get; }
    public string LogsDir => Path.Combine(Root, "logs");
    public string CacheDir => Path.Combine(Root, ".cache");
    public string StateDir => Path.Combine(Root, ".waybill");
    /// <summary><c>.waybill/stat-cache</c>: checksums of files by path and stamp, so later runs need not hash untouched files again.</summary>
    public string StatCachePath => Path.Combine(StateDir, "stat-cache");
    public string EventsPath => Path.Combine(LogsDir, "events.jsonl");
    public string JobManifestPath => Path.Combine(Root, "manifest.json");
    public string MetadataPath => Path.Combine(Root, "metadata.json");
    /// <summary><c>.waybill/manifest.checksum</c>: the checksum of manifest.json as last written, so an edit of it is caught.</summary>
    public string JobManifestChecksumPath => Path.Combine(StateDir, "manifest.checksum");
    /// <summary>
    /// <c>.waybill/journal.jsonl</c>: one line per stage outcome since manifest.json was last written whole; readers
    /// replay it over manifest.json (see <see cref="JobJournalFile"/>).
    /// </summary>
    public string JournalPath => Path.Combine(StateDir, "journal.jsonl");
    /// <summary><c>.waybill/pipeline.yaml</c>: the pipeline file as run, what resume and exec-stage run again.</summary>
    public string SnapshotPath => Path.Combine(StateDir, "pipeline.yaml");
    /// <summary><c>.waybill/run.json</c>: where the snapshot came from and the <c>--set</c> overrides it ran with.</summary>
    public string SnapshotRunPath => Path.Combine(StateDir, "run.json");

    /// <summary>
    /// <c>logs/99_pipeline_&lt;YYYYMMDD_HHMMSS&gt;.log</c> as the seeds name it; a second run started in the same second
    /// (<paramref name="attempt"/> 2, 3, …) gets <c>_2</c>, <c>_3</c>, … before the extension.
    /// </summary>
    public string PipelineLogPath(DateTimeOffset localStart, int attempt = 1) =>
        Path.Combine(LogsDir, $"99_pipeline_{localStart:yyyyMMdd_HHmmss}"
            + $"{(attempt > 1 ? "_" + attempt.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}.log");

    public string LegacyStageLogPath(string stageId, DateTimeOffset localStart) => Path.Combine(LogsDir, $"{stageId}_{localStart:yyyyMMdd_HHmmss}.log");

    /// <summary><c>NN_name/</c>; an item run <c>06_asr[episode-01]</c> has <c>06_asr/episode-01/</c> inside its fan-out's folder.</summary>
    public string StageDir(string stageId) =>
        Pipeline.FanOut.ItemKeys.TrySplit(stageId, out var stage, out var key) ? Path.Combine(Root, stage, key) : Path.Combine(Root, stageId);

    /// <summary>The stage's folder relative to the job, with '/' (<c>06_asr/episode-01</c>), as records name it.</summary>
    public static string StageFolder(string stageId) =>
        Pipeline.FanOut.ItemKeys.TrySplit(stageId, out var stage, out var key) ? stage + "/" + key : stageId;

    /// <summary><c>06_asr/episode-01/manifest.json</c>: the stage manifest relative to the job, as the job manifest records it.</summary>
    public static string StageManifestRelative(string stageId) => StageFolder(stageId) + "/manifest.json";

    public string StageLogPath(string stageId) => Path.Combine(StageDir(stageId), "stage.log");

    public string StageManifestPath(string stageId) => Path.Combine(StageDir(stageId), "manifest.json");

    public string StageCacheDir(string stageId) => Path.Combine(StageDir(stageId), ".cache");

    /// <summary><c>.waybill/python/</c>: the bundled Python client's folder, first on command stages' PYTHONPATH.</summary>
    public string PythonClientDir => Path.Combine(StateDir, "python");

    /// <summary><c>.waybill/channels/</c>: the stage channels of running stages (see docs/stage-protocol.md).</summary>
    public string ChannelsDir => Path.Combine(StateDir, "channels");

    /// <summary><c>.waybill/channels/NN_name.jsonl</c>: the file a running stage's processes send their messages to.</summary>
    public string ChannelPath(string stageId) => Path.Combine(ChannelsDir, stageId + ".jsonl");

    /// <summary><c>.waybill/aside/</c>: where stages' previous outputs wait while a new attempt runs.</summary>
    public string AsideRoot => Path.Combine(StateDir, "aside");

    /// <summary><c>.waybill/aside/NN_name/</c>: one stage's previous outputs, by their path in the stage folder.</summary>
    public string AsideDir(string stageId) => Path.Combine(AsideRoot, stageId);

    /// <summary>The newest pipeline log, or null before any run.</summary>
    public string? LatestPipelineLog() =>
        Directory.Exists(LogsDir)
            ? Directory.GetFiles(LogsDir, "99_pipeline_*.log").OrderBy(p => p, PipelineLogOrder.Instance).LastOrDefault()
            : null;

    /// <summary>Relative to the job folder with forward slashes, or null when the path is outside it.</summary>
    public string? RelativeToJob(string path)
    {
        var full = Path.GetFullPath(path);
        if (!IsInside(full)) return null;
        return Path.GetRelativePath(Root, full).Replace(Path.DirectorySeparatorChar, '/');
    }

    public bool IsInside(string fullPath) =>
        fullPath.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || fullPath == Root;

    /// <summary>A manifest path back to an absolute one: relative paths are read against this job folder, so a moved job keeps working.</summary>
    public string Resolve(string manifestPath) => Path.IsPathRooted(manifestPath) ? manifestPath : Path.GetFullPath(Path.Combine(Root, manifestPath));
}
