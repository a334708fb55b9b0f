namespace Waybill.Catalog;

/// <summary>What a rebuild found: jobs and stage runs indexed, jobs marked gone, and job folders it could not read.</summary>
internal sealed record RebuildResult(int Jobs, int StageRuns, int Gone, IReadOnlyList<string> Unreadable, TimeSpan Took)
{
    public string Describe() =>
        $"{Jobs} job{(Jobs == 1 ? "" : "s")}, {StageRuns} stage run{(StageRuns == 1 ? "" : "s")}"
        + (Gone > 0 ? $", {Gone} job folder{(Gone == 1 ? "" : "s")} gone" : "")
        + (Unreadable.Count > 0 ? $", {Unreadable.Count} unreadable" : "");
}
