using System.Text.Json;
using static Waybill.Core.Manifests.Reading.JsonFields;

namespace Waybill.Core.Manifests.Reading;

/// <summary>A stage manifest's <c>resources</c>, read as <see cref="StageManifestReader"/> reads the manifest itself.</summary>
internal static class ResourceUsageReader
{
    public static readonly FieldNames Fields = new(["wall_seconds", "cpu_user_seconds", "cpu_system_seconds", "cpu_seconds", "cpu_percent",
        "peak_rss_mb", "peak_rss_upper_bound", "gpu_used", "measured_by", "requested", "gpu_devices", "memory_limit", "cgroup_unavailable",
        "memory_limit_exceeded", "read_bytes", "write_bytes", "samples", "gpu", "usage", "shared", "code_cpu_seconds", "leftover_processes"]);

    public static readonly FieldNames RequestedFields = new(["threads", "memory_bytes", "gpus"]);
    public static readonly FieldNames SamplesFields = new(["file", "interval_seconds", "count"], "file");
    public static readonly FieldNames GpuFields = new(["available", "reason", "device", "utilization_percent_mean", "utilization_percent_max",
        "memory_used_mb_peak", "measured_by"]);

    public static ResourceUsage Usage(ref Utf8JsonReader reader) =>
        Record(ref reader, Fields, new ResourceUsage(), UsageField, static (usage, extra) => usage.Extra = extra);

    private static void UsageField(ref Utf8JsonReader reader, ResourceUsage usage, int field)
    {
        switch (field)
        {
            case 0: usage.WallSeconds = Double(ref reader); break;
            case 1: usage.CpuUserSeconds = Double(ref reader); break;
            case 2: usage.CpuSystemSeconds = Double(ref reader); break;
            case 3: usage.CpuSeconds = Double(ref reader); break;
            case 4: usage.CpuPercent = Double(ref reader); break;
            case 5: usage.PeakRssMb = Double(ref reader); break;
            case 6: usage.PeakRssUpperBound = BoolOrNull(ref reader); break;
            case 7: usage.GpuUsed = Bool(ref reader); break;
            case 8: usage.MeasuredBy = RepeatedOrNull(ref reader); break;
            case 9: usage.Requested = Requested(ref reader); break;
            case 10: usage.GpuDevices = ListOrNull(ref reader, StringValue); break;
            case 11: usage.MemoryLimit = StringOrNull(ref reader); break;
            case 12: usage.CgroupUnavailable = StringOrNull(ref reader); break;
            case 13: usage.MemoryLimitExceeded = BoolOrNull(ref reader); break;
            case 14: usage.ReadBytes = LongOrNull(ref reader); break;
            case 15: usage.WriteBytes = LongOrNull(ref reader); break;
            case 16: usage.Samples = Samples(ref reader); break;
            case 17: usage.Gpu = Gpu(ref reader); break;
            case 18: usage.Usage = MapOrNull(ref reader, Double); break;
            case 19: usage.Shared = ListOrNull(ref reader, StringValue); break;
            case 20: usage.CodeCpuSeconds = DoubleOrNull(ref reader); break;
            default: usage.LeftoverProcesses = IntOrNull(ref reader); break;
        }
    }

    private static RequestedResources? Requested(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null :
        Record(ref reader, RequestedFields, new RequestedResources(), static (ref Utf8JsonReader r, RequestedResources requested, int field) =>
        {
            switch (field)
            {
                case 0: requested.Threads = Int(ref r); break;
                case 1: requested.MemoryBytes = LongOrNull(ref r); break;
                default: requested.Gpus = Int(ref r); break;
            }
        });

    private static ResourceSamples? Samples(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null :
        Record(ref reader, SamplesFields, new ResourceSamples { File = null! }, static (ref Utf8JsonReader r, ResourceSamples samples, int field) =>
        {
            switch (field)
            {
                case 0: samples.File = StringValue(ref r); break;
                case 1: samples.IntervalSeconds = Double(ref r); break;
                default: samples.Count = Int(ref r); break;
            }
        });

    private static GpuUsage? Gpu(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null :
        Record(ref reader, GpuFields, new GpuUsage(), static (ref Utf8JsonReader r, GpuUsage gpu, int field) =>
        {
            switch (field)
            {
                case 0: gpu.Available = Bool(ref r); break;
                case 1: gpu.Reason = StringOrNull(ref r); break;
                case 2: gpu.Device = StringOrNull(ref r); break;
                case 3: gpu.UtilizationPercentMean = DoubleOrNull(ref r); break;
                case 4: gpu.UtilizationPercentMax = DoubleOrNull(ref r); break;
                case 5: gpu.MemoryUsedMbPeak = DoubleOrNull(ref r); break;
                default: gpu.MeasuredBy = RepeatedOrNull(ref r); break;
            }
        });
}
