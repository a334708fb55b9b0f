namespace Waybill.Core.OpenLineage;

/// <summary>
/// A stage's tracked files as OpenLineage datasets: namespace <c>file://&lt;host&gt;</c>, name the absolute path, facet
/// <c>waybill_file</c> (OpenLineageStageEvents writes them).
/// </summary>
internal static class OpenLineageDatasets
{
    public static string Namespace(string host) => "file://" + host.ToLowerInvariant();
}
