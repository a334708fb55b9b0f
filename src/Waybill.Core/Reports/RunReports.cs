using Waybill.Core.Jobs;

namespace Waybill.Core.Reports;

/// <summary><c>waybill report</c>: a job's latest run as one self-contained HTML page (docs/observability.md, "Report").</summary>
public static class RunReports
{
    /// <summary>The page of the job at <paramref name="layout"/>; <paramref name="time"/> gives "now" for a run still going.</summary>
    /// <exception cref="Manifests.ManifestFormatException">A manifest of the job is damaged.</exception>
    public static string RenderHtml(JobLayout layout, TimeProvider time) => HtmlRunReportRenderer.Render(RunReportLoader.Load(layout, time));
}
