using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Core.Jobs;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill status JOB STAGE --json</c>: the job manifest with only the named stage runs in <c>stages[]</c>.</summary>
internal static class StatusJson
{
    private static readonly JsonSerializerOptions Indented =
        new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Only(JobLayout layout, byte[] jobManifest, IReadOnlySet<string> stageIds)
    {
        var job = JsonNode.Parse(jobManifest)?.AsObject()
            ?? throw new CliException($"{layout.JobManifestPath} is not a JSON object");
        if (job["stages"] is JsonArray stages)
        {
            var kept = stages.Where(s => s?["stage_id"]?.GetValue<string>() is { } id && stageIds.Contains(id)).Select(s => s!.DeepClone()).ToArray();
            job["stages"] = new JsonArray(kept);
        }
        return job.ToJsonString(Indented);
    }
}
