using System.Text.Json.Nodes;
using Waybill.Core.Manifests;

namespace Waybill.Core.Reports;

/// <summary>One stage run as the report shows it: its record, where its bar lies on the timeline, and what it is compared with.</summary>
internal sealed class ReportStageRun
{
    public required JobStageSummary Summary { get; init; }
    /// <summary>Null for a stage that never started (no manifest).</summary>
    public StageManifest? Manifest { get; init; }
    public required StageStatus Status { get; init; }
    /// <summary>True when this run ran the stage (or decided it must not run); false when the stage was up to date.</summary>
    public required bool RanInThisRun { get; init; }
    /// <summary>The fan-out stage this item belongs to (<c>06_asr</c> for <c>06_asr[ep-01]</c>); null for a stage that runs once.</summary>
    public string? FanOutStage { get; init; }
    /// <summary>Seconds from the job's start; null when the stage has no bar (it did not run in this run).</summary>
    public double? Start { get; set; }
    public double? End { get; set; }
    /// <summary>The timeline lane (parallel slot) the bar is drawn in; -1 without a bar.</summary>
    public int Lane { get; set; } = -1;
    public ResourceCurves? Curves { get; set; }
    /// <summary>Why there are no curves ("no samples", or a damaged samples file); null when there are.</summary>
    public string? CurvesNote { get; set; }
    public List<ReportProblem> Problems { get; } = [];
    public PreviousStageRun? Previous { get; set; }
    /// <summary>The stage's config as recorded (secrets already masked).</summary>
    public JsonObject? Config => Manifest?.Config;
    /// <summary>The lineage graph's element id of the stage (<c>n12</c>), to highlight it there; null when not in the graph.</summary>
    public string? LineageElement { get; set; }
}
