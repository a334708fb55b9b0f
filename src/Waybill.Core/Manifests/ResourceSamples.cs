namespace Waybill.Core.Manifests;

/// <summary>
/// Where a stage's resource samples over time are: a tab-separated file in the stage run's folder, one row per
/// interval (<c>elapsed_seconds cpu_percent rss_mb read_bytes write_bytes gpu_percent gpu_memory_mb</c>).
/// </summary>
public sealed class ResourceSamples
{
    /// <summary>The file's name, relative to the folder of the manifest (<c>resource_samples.tsv</c>).</summary>
    public required string File { get; set; }
    public double IntervalSeconds { get; set; }
    /// <summary>How many rows the file holds.</summary>
    public int Count { get; set; }

    /// <summary>The file's first line: its column names, tab-separated. The one place they are spelled.</summary>
    internal const string FileHeader = "elapsed_seconds\tcpu_percent\trss_mb\tread_bytes\twrite_bytes\tgpu_percent\tgpu_memory_mb";
}
