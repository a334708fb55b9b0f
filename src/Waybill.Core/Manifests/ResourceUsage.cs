using System.Text.Json;
using System.Text.Json.Serialization;

namespace Waybill.Core.Manifests;

/// <summary>What a stage consumed. CPU time counts the stage's child processes and their children.</summary>
public sealed class ResourceUsage
{
    public double WallSeconds { get; set; }
    public double CpuUserSeconds { get; set; }
    public double CpuSystemSeconds { get; set; }
    public double CpuSeconds { get; set; }
    /// <summary>CPU seconds over wall seconds × 100; above 100 means more than one core was busy.</summary>
    public double CpuPercent { get; set; }
    public double PeakRssMb { get; set; }
    /// <summary>True when <see cref="PeakRssMb"/> says only "no more than this" (a small command started straight from the engine); absent when exact.</summary>
    public bool? PeakRssUpperBound { get; set; }
    public bool GpuUsed { get; set; }
    /// <summary>How the figures were taken: "process" (a child process measured by wait4) or "in-process" (the engine's own process while the stage ran).</summary>
    public string? MeasuredBy { get; set; }

    /// <summary>
    /// What the stage asked for (<c>threads</c>, <c>memory</c>, <c>gpus</c>), counted against the run's
    /// <c>--cores</c>, <c>--memory</c>, <c>--gpus</c>.
    /// </summary>
    public RequestedResources? Requested { get; set; }
    /// <summary>
    /// The GPUs the stage was given, as its CUDA_VISIBLE_DEVICES names them; empty when it asked for none. Absent when the run hands out no GPUs.
    /// </summary>
    public List<string>? GpuDevices { get; set; }
    /// <summary>How <c>memory</c> was enforced: "cgroup" (cgroup v2 memory.max), "rlimit_as" (RLIMIT_AS), or "none" (only counted).</summary>
    public string? MemoryLimit { get; set; }
    /// <summary>
    /// Why a stage whose memory would be limited by a cgroup v2 of its own got none (cgroup v1 here, the memory
    /// controller not delegated, …): its figures are then wait4's (<c>measured_by: process</c>). Absent otherwise.
    /// </summary>
    public string? CgroupUnavailable { get; set; }
    /// <summary>True when the stage failed because it used more memory than its limit allowed.</summary>
    public bool? MemoryLimitExceeded { get; set; }
    /// <summary>Bytes the stage read from storage; absent when the kernel gave no figure.</summary>
    public long? ReadBytes { get; set; }
    /// <summary>Bytes the stage wrote to storage; absent when the kernel gave no figure.</summary>
    public long? WriteBytes { get; set; }
    /// <summary>The file of samples over time; absent when the stage ran shorter than one interval or sampling was off.</summary>
    public ResourceSamples? Samples { get; set; }
    /// <summary>What the GPU did; absent when the stage asked for no GPU and none was measured.</summary>
    public GpuUsage? Gpu { get; set; }
    /// <summary>Quantities the stage reported using, by unit (<c>tokens</c>: 1234), for the rate card to price; absent when none.</summary>
    public Dictionary<string, double>? Usage { get; set; }
    /// <summary>
    /// The figures that are not the stage's alone (<c>cpu</c>, <c>peak_rss</c>): an in-process stage's are the engine's,
    /// shared with the stages that ran beside it and with the engine's own work. Absent when every figure is the stage's own.
    /// </summary>
    public List<string>? Shared { get; set; }
    /// <summary>
    /// An in-process stage's own CPU time: its code and the tasks it started, on whichever of the engine's threads they ran
    /// (each thread's CPU time from the moment the stage's flow arrived on it to the moment it left), without the engine's
    /// work for other stages that <see cref="CpuSeconds"/> includes. Not counted: threads a native library starts on its
    /// own, and child processes (which <see cref="CpuSeconds"/> has). Absent for command stages, whose figures are their own.
    /// </summary>
    public double? CodeCpuSeconds { get; set; }
    /// <summary>Processes the stage's commands left running when they exited; they were killed then, and what they used is not counted.</summary>
    public int? LeftoverProcesses { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
