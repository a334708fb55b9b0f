using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Catalog;

/// <summary>Turns manifests into catalog rows: the same mapping for a run that just ended and for a rebuild from the folders.</summary>
internal static class ManifestRows
{
    public static StageRunRow From(StageManifest m, string manifestPath) => new()
    {
        StageId = m.StageId,
        Stage = m.Stage,
        StageNumber = m.StageNumber,
        ItemKey = m.Item?.Key,
        RunId = m.ProducedBy?.RunId ?? m.RunId,
        Attempt = m.Attempt,
        Status = m.Status,
        StatusReason = m.StatusReason,
        Kind = m.Kind,
        Started = m.StartedUtc == default ? null : m.StartedUtc,
        Finished = m.FinishedUtc,
        DurationSeconds = m.DurationSeconds,
        // A stage that never ran (skipped) has all-zero figures: absent, so they do not pull means down. A figure the
        // manifest marks as shared (an in-process stage's: the engine's) is not the stage's own, so it is left out too.
        CpuSeconds = (m.Resources.WallSeconds > 0 || m.Resources.CpuSeconds > 0) && !IsShared(m, "cpu") ? m.Resources.CpuSeconds : null,
        PeakRssMb = m.Resources.PeakRssMb > 0 && !IsShared(m, "peak_rss") ? m.Resources.PeakRssMb : null,
        Shared = m.Resources.Shared is { Count: > 0 } shared ? string.Join(',', shared) : null,
        CodeCpuSeconds = m.Resources.CodeCpuSeconds,
        ReusedFrom = m.ReusedFrom is { } reused ? $"{reused.Job}/{reused.Stage}" : null,
        ReadBytes = m.Resources.ReadBytes,
        WriteBytes = m.Resources.WriteBytes,
        CostTotal = m.Cost?.Total,
        Currency = m.Cost?.Currency,
        Host = m.Host,
        ExitCode = m.ExitCode,
        ManifestPath = manifestPath,
        Errors = Problems(m.Errors),
        Warnings = Problems(m.Warnings),
    };

    /// <summary>A stage the job manifest lists without a readable manifest of its own (never started, or its file is damaged).</summary>
    public static StageRunRow From(JobStageSummary s, JobManifest job, string? problem) => new()
    {
        StageId = s.StageId,
        Stage = s.Stage,
        StageNumber = s.StageNumber,
        ItemKey = Core.Pipeline.FanOut.ItemKeys.TrySplit(s.StageId, out _, out var key) ? key : null,
        RunId = s.CheckedByRun ?? job.RunId,
        Status = s.Status,
        StatusReason = problem ?? s.StatusReason,
        DurationSeconds = s.DurationSeconds,
        Host = job.Host,
        ManifestPath = s.Manifest,
    };

    public static JobRow From(JobManifest job, string jobDir) => new(jobDir, job.JobId, job.Pipeline, job.RunId, job.Status,
        job.StartedUtc == default ? null : job.StartedUtc, job.FinishedUtc, job.DurationSeconds, job.Host, job.WaybillVersion);

    /// <summary>The stage manifest's path as the job manifest names it (relative to the job folder).</summary>
    public static string Relative(string stageId) => JobLayout.StageManifestRelative(stageId);

    private static bool IsShared(StageManifest m, string figure) => m.Resources.Shared?.Contains(figure) == true;

    // Most stage runs have none: the shared empty list, not a new one and a query over nothing, on the run's own thread.
    private static IReadOnlyList<ProblemRow> Problems(List<ProblemRecord> problems) =>
        problems.Count == 0 ? [] : [.. problems.Select(p => new ProblemRow(p.Timestamp, p.Message, p.ExceptionType))];
}
