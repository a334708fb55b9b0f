using System.Text.Json.Nodes;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.OpenLineage;

/// <summary>A stage's tracked files as OpenLineage datasets: namespace <c>file://&lt;host&gt;</c>, name the absolute path.</summary>
internal static class OpenLineageDatasets
{
    public static string Namespace(string host) => "file://" + host.ToLowerInvariant();

    /// <summary>Tombstones (files <c>waybill clean</c> deleted) are left out: they are no longer there to read.</summary>
    public static JsonArray Of(IEnumerable<FileRecord> files, JobLayout layout, string host, OpenLineageFacets facets) =>
        new([.. files.Where(f => f.DeletedAt is null).Select(f => (JsonNode?)new JsonObject
        {
            ["namespace"] = Namespace(host),
            ["name"] = layout.Resolve(f.Path),
            ["facets"] = new JsonObject { ["waybill_file"] = facets.WaybillFile(f) },
        })]);
}
