using Waybill.Core.Manifests;

namespace Waybill.Core.Reports;

/// <summary>Everything <c>waybill report</c> shows of one job's latest run, read from its job folder.</summary>
internal sealed class RunReport
{
    public required JobManifest Job { get; init; }
    public required string JobRoot { get; init; }
    public required DateTimeOffset GeneratedUtc { get; init; }
    /// <summary>The timeline's zero: the run's start.</summary>
    public required DateTimeOffset Origin { get; init; }
    /// <summary>Seconds from <see cref="Origin"/> to the run's end (or now, for a run still going).</summary>
    public double SpanSeconds { get; set; }
    public List<ReportStageRun> Stages { get; } = [];
    public int Lanes { get; set; }
    public List<FanOutGroup> Groups { get; } = [];
    public int GroupRows { get; set; }
    /// <summary>The run's <c>--jobs</c> (metadata.json <c>max_parallel</c>); null when not recorded.</summary>
    public int? MaxParallel { get; set; }
    public List<string> Overrides { get; } = [];
    public List<string> CommandLine { get; } = [];
    /// <summary><c>.waybill/pipeline.yaml</c> as run (secrets masked in it); null when absent.</summary>
    public string? Snapshot { get; set; }
    public string? SnapshotNote { get; set; }
    /// <summary>The lineage graph as inline SVG (the <c>waybill lineage --format svg</c> drawing).</summary>
    public required string LineageSvg { get; set; }
    public PreviousRun? Previous { get; set; }
    public string? PreviousNote { get; set; }
    /// <summary>What the report left out or could not read, said once at the top.</summary>
    public List<string> Notes { get; } = [];
}
