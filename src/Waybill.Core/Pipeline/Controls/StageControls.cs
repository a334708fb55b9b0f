namespace Waybill.Core.Pipeline.Controls;

/// <summary>
/// How a stage is run, as opposed to what it computes: a time limit, retries, the resources it asks the scheduler for,
/// and whether its failure stops the job. Set with stage keys (<c>timeout: 30m</c>, <c>retries: 3</c>, <c>threads: 2</c>,
/// <c>memory: 4GiB</c>, <c>gpus: 1</c>, <c>optional: true</c>) or <c>--set 06_asr.timeout=30m</c>.
/// Controls are not part of a stage's fingerprint: changing them never makes a finished stage run again.
/// </summary>
public sealed record StageControls
{
    public static readonly StageControls None = new();

    /// <summary>The stage's whole process tree is stopped after this long; the stage fails "timed out after …".</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Null: a failure is final.</summary>
    public RetryPolicy? Retry { get; init; }
    /// <summary>CPU threads the stage asks for (counted against <c>--cores</c>); null means 1.</summary>
    public int? Threads { get; init; }
    /// <summary>Memory the stage asks for (counted against <c>--memory</c>) and may not exceed; null: no request, no limit.</summary>
    public long? MemoryBytes { get; init; }
    /// <summary>GPUs the stage asks for (counted against <c>--gpus</c>); null means none.</summary>
    public int? Gpus { get; init; }
    /// <summary><c>optional: true</c> or <c>on_failure: continue</c>: a failure is recorded and the job goes on.</summary>
    public bool Optional { get; init; }
    /// <summary><c>cache: false</c>: the stage always runs, never restored from the result cache nor stored in it.</summary>
    public bool Cache { get; init; } = true;
    /// <summary>
    /// <c>sample_interval: 500ms</c>: how often the stage's processes are sampled into its samples file; null means the
    /// default (1 s), <see cref="TimeSpan.Zero"/> (<c>off</c>) none.
    /// </summary>
    public TimeSpan? SampleInterval { get; init; }

    /// <summary>The shortest <see cref="SampleInterval"/>: below it the reads of /proc would cost more than the 1% aimed at.</summary>
    public static readonly TimeSpan MinSampleInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxSampleInterval = TimeSpan.FromHours(1);

    /// <summary>Where each control was written (key → place), for errors found later (e.g. a request larger than the run allows).</summary>
    public IReadOnlyDictionary<string, SourceLocation> Locations { get; init; } = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);

    /// <summary>The threads the scheduler counts: at least one.</summary>
    public int ThreadsOrDefault => Threads ?? 1;
}

/// <summary>
/// <c>retries: 3</c>, or <c>retries: { count: 3, backoff: 10s, factor: 2, max_backoff: 5m, exit_codes: [1, 75], errors: ["timeout"] }</c>.
/// Without <see cref="ExitCodes"/> and <see cref="ErrorPatterns"/> every failure is retried; with them, only a failure that
/// matches one of them (a cancellation never is).
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Attempts after the first.</summary>
    public required int Count { get; init; }
    /// <summary>Wait before the first retry.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Each later wait is the previous one times this.</summary>
    public double Factor { get; init; } = 2;
    public TimeSpan? MaxBackoff { get; init; }
    public IReadOnlyList<int> ExitCodes { get; init; } = [];
    /// <summary>Regular expressions matched against the failure's reason.</summary>
    public IReadOnlyList<string> ErrorPatterns { get; init; } = [];

    /// <summary>The wait before retry <paramref name="retry"/> (1 for the first).</summary>
    public TimeSpan DelayBefore(int retry)
    {
        var seconds = Backoff.TotalSeconds * Math.Pow(Factor, Math.Max(0, retry - 1));
        if (MaxBackoff is { } max) seconds = Math.Min(seconds, max.TotalSeconds);
        return TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));
    }
}
