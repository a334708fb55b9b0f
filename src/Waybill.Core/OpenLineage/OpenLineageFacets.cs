using System.Text.Json.Nodes;
using Waybill.Core.Manifests;

namespace Waybill.Core.OpenLineage;

/// <summary>
/// The facets Waybill attaches: standard ones where the spec has one that fits (parent, errorMessage, jobType,
/// documentation, sourceCode, processing_engine), and its own <c>waybill_*</c> facets, described by
/// <c>schemas/openlineage-facets.schema.json</c>. Every facet carries <c>_producer</c> and <c>_schemaURL</c>.
/// </summary>
internal sealed class OpenLineageFacets(string producer)
{
    private const string Standard = "https://openlineage.io/spec/facets/";
    private const string Custom = "https://waybill.dev/schemas/openlineage-facets.schema.json#/$defs/";

    public const string DocumentationSchema = Standard + "1-0-1/DocumentationJobFacet.json#/$defs/DocumentationJobFacet";
    public const string SourceCodeSchema = Standard + "1-0-1/SourceCodeJobFacet.json#/$defs/SourceCodeJobFacet";
    public const string WaybillFileSchema = Custom + "WaybillFileDatasetFacet";

    public string Producer { get; } = producer;

    public JsonObject Parent(Guid jobRunId, string jobNamespace, string jobName)
    {
        var facet = Base(Standard + "1-0-1/ParentRunFacet.json#/$defs/ParentRunFacet");
        facet["run"] = new JsonObject { ["runId"] = OpenLineageIds.Text(jobRunId) };
        facet["job"] = new JsonObject { ["namespace"] = jobNamespace, ["name"] = jobName };
        return facet;
    }

    public JsonObject ErrorMessage(string message, string programmingLanguage)
    {
        var facet = Base(Standard + "1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet");
        facet["message"] = message;
        facet["programmingLanguage"] = programmingLanguage;
        return facet;
    }

    /// <summary>BATCH work of the WAYBILL integration: the pipeline is a "JOB", each stage a "STAGE".</summary>
    public JsonObject JobType(string jobType)
    {
        var facet = Base(Standard + "2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet");
        facet["processingType"] = "BATCH";
        facet["integration"] = "WAYBILL";
        facet["jobType"] = jobType;
        return facet;
    }

    public JsonObject ProcessingEngine(string version)
    {
        var facet = Base(Standard + "1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet");
        facet["version"] = version;
        facet["name"] = "Waybill";
        facet["openlineageAdapterVersion"] = version;
        return facet;
    }

    /// <summary>The pipeline run: where its job folder and manifest are, and how its stages ended.</summary>
    public JsonObject WaybillJob(string jobId, string runId, string jobFolder, string status, double? durationSeconds,
        IReadOnlyDictionary<string, int>? stageCounts, int upToDate = 0)
    {
        var facet = Base(Custom + "WaybillJobRunFacet");
        facet["job_id"] = jobId;
        facet["run_id"] = runId;
        facet["status"] = status;
        facet["job_folder"] = jobFolder;
        facet["manifest"] = "manifest.json";
        if (durationSeconds is { } seconds) facet["duration_seconds"] = Math.Round(seconds, 3);
        if (stageCounts is not null) facet["stages"] = new JsonObject(stageCounts.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value)));
        if (upToDate > 0) facet["up_to_date"] = upToDate;
        return facet;
    }

    /// <summary>A stage run at its START: why it runs is known, what the manifest will say once it ends is not.</summary>
    public JsonObject WaybillStageStarted(string jobId, string runId, string stageId, string stageName, string manifestPath, string logPath, IReadOnlyList<string>? reasons)
    {
        var facet = Base(Custom + "WaybillStageRunFacet");
        facet["job_id"] = jobId;
        facet["run_id"] = runId;
        facet["stage_id"] = stageId;
        facet["stage"] = stageName;
        facet["status"] = "running";
        facet["manifest"] = manifestPath;
        facet["log"] = logPath;
        if (reasons is { Count: > 0 }) facet["reasons"] = new JsonArray([.. reasons.Select(r => (JsonNode?)r)]);
        return facet;
    }

    /// <summary>A stage run at its end, from its manifest (whose texts are already masked).</summary>
    public JsonObject WaybillStage(StageManifest manifest, string manifestPath, string logPath)
    {
        var facet = WaybillStageStarted(manifest.JobId, manifest.RunId, manifest.StageId, manifest.Stage, manifestPath, logPath, manifest.Reasons);
        facet["status"] = manifest.Status;
        facet["attempt"] = manifest.Attempt;
        if (manifest.StatusReason is { } reason) facet["status_reason"] = reason;
        facet["duration_seconds"] = manifest.DurationSeconds;
        if (manifest.ExitCode is { } exitCode) facet["exit_code"] = exitCode;
        var usage = manifest.Resources;
        facet["resources"] = new JsonObject
        {
            ["wall_seconds"] = usage.WallSeconds,
            ["cpu_seconds"] = usage.CpuSeconds,
            ["cpu_percent"] = usage.CpuPercent,
            ["peak_rss_mb"] = usage.PeakRssMb,
        };
        if (usage.Shared is { Count: > 0 } shared) facet["resources"]!["shared"] = new JsonArray([.. shared.Select(s => (JsonNode?)s)]);
        return facet;
    }

    private JsonObject Base(string schemaUrl) => new() { ["_producer"] = Producer, ["_schemaURL"] = schemaUrl };
}
