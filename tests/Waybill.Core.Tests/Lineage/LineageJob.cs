using System.IO.Hashing;
using System.Text;
using Waybill.Core.Manifests;

namespace Waybill.Core.Tests.Lineage;

/// <summary>Writes a job folder's manifests (no data files: lineage reads manifests only), stage by stage.</summary>
public sealed class LineageJob(string root)
{
    private readonly List<StageManifest> _stages = [];

    public string Root { get; } = root;
    public string JobId => Path.GetFileName(Root);

    public static string Checksum(string content) => "xxh128:" + Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(content)));

    public static FileRecord File(string path, string? content = null, string? name = null, string location = "job", long? size = null) => new()
    {
        Name = name ?? System.IO.Path.GetFileNameWithoutExtension(path),
        Type = "file",
        Path = path,
        Location = location,
        SizeBytes = size ?? Encoding.UTF8.GetByteCount(content ?? path),
        Checksum = Checksum(content ?? path),
    };

    /// <summary>An input produced upstream: the same record as the producer's output, with from_stage and from_output.</summary>
    public static FileRecord From(string stageId, FileRecord output, string? inputName = null)
    {
        var input = File(output.Path, name: inputName ?? output.Name, size: output.SizeBytes);
        input.Checksum = output.Checksum;
        input.FromStage = stageId;
        input.FromOutput = output.Name;
        return input;
    }

    public StageManifest Stage(string stageId, IEnumerable<FileRecord>? inputs = null, IEnumerable<FileRecord>? outputs = null, string status = "success", string? reason = null, double seconds = 1.5)
    {
        var manifest = new StageManifest
        {
            Stage = stageId[(stageId.IndexOf('_', StringComparison.Ordinal) + 1)..],
            StageId = stageId,
            StageNumber = int.Parse(stageId[..stageId.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture),
            JobId = JobId,
            RunId = "run-" + JobId,
            Status = status,
            StatusReason = reason,
            DurationSeconds = seconds,
            Kind = "command",
            Host = "test",
            WaybillVersion = "0.1.0",
            Inputs = [.. inputs ?? []],
            Outputs = [.. outputs ?? []],
        };
        _stages.Add(manifest);
        return manifest;
    }

    /// <summary>Writes the job manifest and every stage manifest; <paramref name="withoutManifest"/> stages appear only in the job manifest, as never started.</summary>
    public LineageJob Write(params string[] withoutManifest)
    {
        Directory.CreateDirectory(Root);
        var job = new JobManifest { JobId = JobId, RunId = "run-" + JobId, Pipeline = "lineage-test", Status = "success", Host = "test", WaybillVersion = "0.1.0" };
        foreach (var stage in _stages)
        {
            job.Stages.Add(new JobStageSummary { StageId = stage.StageId, Stage = stage.Stage, StageNumber = stage.StageNumber, Status = stage.Status, StatusReason = stage.StatusReason, DurationSeconds = stage.DurationSeconds });
            if (withoutManifest.Contains(stage.StageId)) continue;
            Directory.CreateDirectory(System.IO.Path.Combine(Root, stage.StageId));
            ManifestJson.Write(System.IO.Path.Combine(Root, stage.StageId, "manifest.json"), stage);
        }
        ManifestJson.Write(System.IO.Path.Combine(Root, "manifest.json"), job);
        return this;
    }
}
