using Waybill.Core.Manifests;

namespace Waybill.Core.Execution.Resources.Sampling;

/// <summary>What a stage's sampling found: the samples file (null when no row was written), the largest sum of resident
/// memory over its tree, its cumulative storage I/O at the last sample, and the GPU figures.</summary>
internal sealed record SampleSummary(ResourceSamples? Samples, long PeakTreeRssBytes, long? ReadBytes, long? WriteBytes, GpuUsage? Gpu);
