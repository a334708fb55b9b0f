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
    public const string WaybillStageSchema = Custom + "WaybillStageRunFacet";
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

    private JsonObject Base(string schemaUrl) => new() { ["_producer"] = Producer, ["_schemaURL"] = schemaUrl };
}
