using Waybill.Core.Logging;
using Waybill.Core.Secrets;

namespace Waybill.Core.Execution;

/// <summary>
/// What every stage of a run shares: time, secrets, the checksum cache, tool versions, and how to open a stage's logs.
/// Disposed when the run ends, which stops the resource sampler and the nvidia-smi it may run.
/// </summary>
public sealed class RunServices(TimeProvider time, Redactor redactor, ChecksumCache checksums, Func<string, string, StageLogHandle> openStageLog)
    : IDisposable
{
    public TimeProvider Time { get; } = time;
    public Redactor Redactor { get; } = redactor;
    public ChecksumCache Checksums { get; } = checksums;
    public ToolVersions Tools { get; } = new(redactor);
    public Func<string, string, StageLogHandle> OpenStageLog { get; } = openStageLog;
    public string Host { get; } = Environment.MachineName;
    /// <summary>
    /// The run's answer to a full disk (a manifest write that fails for want of space is retried once in the reserve); null outside a run.
    /// </summary>
    public Jobs.DiskFullWatch? DiskFull { get; init; }
    /// <summary>Told how far long stages are (<see cref="StageContext.ReportProgress"/>, a fan-out's items); null: nobody.</summary>
    internal IProgress<StageProgress>? StageProgress { get; init; }
    /// <summary>The Python client the run's command stages import, written into the job once per run.</summary>
    internal PythonClient PythonClient { get; } = new();
    /// <summary>Folders the run makes once for all its stages.</summary>
    internal IO.FoldersMade Folders { get; } = new();
    /// <summary>Samples the process trees of the run's stages on one timer.</summary>
    // The sampler reads real processes at real intervals: its ticks come from the system clock, not the run's, which a
    // test may hold still to step a stage's backoff and timeout waits one by one.
    internal Resources.Sampling.ResourceSampler Sampler { get; } = new(TimeProvider.System);
    /// <summary>The stages running now, so that an in-process stage's figures say when they are shared.</summary>
    internal Resources.RunningStages Running { get; } = new();
    public static string Version { get; } = typeof(RunServices).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
        .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public void Dispose() => Sampler.Dispose();
}
