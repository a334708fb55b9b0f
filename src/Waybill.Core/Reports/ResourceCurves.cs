namespace Waybill.Core.Reports;

/// <summary>
/// A stage's resource samples over time, at most <see cref="ReportLimits.CurvePoints"/> points: elapsed seconds, CPU %,
/// RSS MB, read and write rates (bytes per second, from the file's cumulative counters), GPU % and GPU memory MB. A
/// null entry is a figure the sampler could not take.
/// </summary>
internal sealed class ResourceCurves
{
    public List<double> Elapsed { get; } = [];
    public List<double?> CpuPercent { get; } = [];
    public List<double?> RssMb { get; } = [];
    public List<double?> ReadRate { get; } = [];
    public List<double?> WriteRate { get; } = [];
    public List<double?> GpuPercent { get; } = [];
    public List<double?> GpuMemoryMb { get; } = [];
    /// <summary>How many rows the file had (more than the points when it was thinned out).</summary>
    public int Rows { get; set; }
}
