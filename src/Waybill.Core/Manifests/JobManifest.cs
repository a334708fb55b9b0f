namespace Waybill.Core.Manifests;

/// <summary>The job-level <c>manifest.json</c>: one line per stage and the lineage edges between them. Only the orchestrator writes it.</summary>
public sealed class JobManifest
{
    public string SchemaVersion { get; set; } = StageManifest.CurrentSchemaVersion;
    public required string JobId { get; set; }
    public required string RunId { get; set; }
    public required string Pipeline { get; set; }
    public string? PipelineFile { get; set; }
    public string Status { get; set; } = "running";
    public DateTimeOffset StartedUtc { get; set; }
    public DateTimeOffset? FinishedUtc { get; set; }
    public double DurationSeconds { get; set; }
    public required string Host { get; set; }
    public required string WaybillVersion { get; set; }
    public string? PipelineLog { get; set; }
    public List<JobStageSummary> Stages { get; set; } = [];
    /// <summary>What the job's stage runs cost together, line by line per unit; absent when the run has no rate card.</summary>
    public StageCost? Cost { get; set; }
    /// <summary>Optional stages that failed while the job went on (each with what its failure skipped); null when none.</summary>
    public List<JobWarning>? Warnings { get; set; }
    public List<LineageEdge> Lineage { get; set; } = [];
    /// <summary>The job's run logs (pipeline logs, events.jsonl, openlineage.jsonl) sealed with size and checksum when the run ended.</summary>
    public List<FileRecord> Logs { get; set; } = [];
    /// <summary>metadata.json and the pipeline snapshot (<c>.waybill/pipeline.yaml</c>, <c>.waybill/run.json</c>) as this run wrote them.</summary>
    public List<SealedFile> JobFiles { get; set; } = [];
}

public sealed class JobStageSummary
{
    public required string StageId { get; set; }
    public required string Stage { get; set; }
    public int StageNumber { get; set; }
    public string Status { get; set; } = "pending";
    public string? StatusReason { get; set; }
    public double DurationSeconds { get; set; }
    public List<string> DependsOn { get; set; } = [];
    public List<string> Outputs { get; set; } = [];
    public int WarningCount { get; set; }
    public int ErrorCount { get; set; }
    /// <summary>True for an optional stage (its failure does not fail the job); null otherwise, so the field is left out.</summary>
    public bool? Optional { get; set; }
    public string? Manifest { get; set; }
    /// <summary>Checksum of the stage manifest as last written, so an edited manifest is caught by <c>waybill verify</c>.</summary>
    public string? ManifestChecksum { get; set; }
    /// <summary>
    /// The run that last found the stage up to date without rewriting its manifest (which still names the run that
    /// recorded it); null when the stage's own manifest is the latest word.
    /// </summary>
    public string? CheckedByRun { get; set; }
}

/// <summary>A file that one stage produced and another consumed.</summary>
public sealed class LineageEdge
{
    public required string FromStage { get; set; }
    public required string FromOutput { get; set; }
    public required string ToStage { get; set; }
    public required string ToInput { get; set; }
    public required string Path { get; set; }
    public string? Checksum { get; set; }
}

/// <summary>A failure the job went on after: an optional stage that failed, and the stages that needed its outputs.</summary>
public sealed class JobWarning
{
    public required string StageId { get; set; }
    public required string Message { get; set; }
    public List<string>? Skipped { get; set; }
}
