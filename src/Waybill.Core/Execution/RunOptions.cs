using Microsoft.Extensions.Logging;
using Waybill.Core.Logging;

namespace Waybill.Core.Execution;

public sealed record RunOptions
{
    /// <summary>The job id (folder name); generated when null.</summary>
    public string? JobId { get; init; }
    /// <summary>The folder that holds job folders (<c>out/</c>).</summary>
    public string OutputRoot { get; init; } = "out";
    /// <summary>Independent stages run in parallel up to this many at once.</summary>
    public int MaxParallel { get; init; } = Environment.ProcessorCount;
    /// <summary>
    /// What the stages may use at once (<c>--cores</c>, <c>--memory</c>, <c>--gpus</c>): each stage's threads, memory and
    /// GPUs are counted against it. Null: this machine's (<see cref="Resources.MachineResources"/>).
    /// </summary>
    public Resources.RunResources? Resources { get; init; }
    /// <summary>After a failure, go on running stages that do not depend on it.</summary>
    public bool KeepGoing { get; init; }
    /// <summary>Also write the legacy per-stage logs <c>logs/NN_name_&lt;ts&gt;.log</c>.</summary>
    public bool LegacyStageLogs { get; init; }
    /// <summary>Console sink (INFO+ unless <see cref="ConsoleLevel"/> says otherwise); null for none.</summary>
    public ILogSink? Console { get; init; }
    public LogLevel ConsoleLevel { get; init; } = LogLevel.Information;
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>Where stages run; null for this process.</summary>
    public Func<RunServices, IStageExecutor>? Executor { get; init; }
    /// <summary>
    /// Told of the run's result once its stages have ended and it is summed up, before it waits for its observers and seals
    /// its records: a summary printed here overlaps their last work (the catalog's last transaction). What the run says
    /// after this (an observer's warning) comes after it.
    /// </summary>
    public Action<RunResult>? Ended { get; init; }
    /// <summary>Told of every stage that ends (for progress displays).</summary>
    public IProgress<StageOutcome>? Progress { get; init; }
    /// <summary>Told how far long stages are (a stage's own reports, a fan-out's items done), for progress displays.</summary>
    public IProgress<StageProgress>? StageProgress { get; init; }
    /// <summary>The command line that started the run, recorded (redacted) in metadata.json.</summary>
    public IReadOnlyList<string> CommandLine { get; init; } = [];
    /// <summary>The <c>--set</c> overrides already applied to the pipeline, recorded for <c>exec-stage</c>.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];
    /// <summary>
    /// More values to mask in everything the run writes: credentials given outside the pipeline, secrets a resumed job was given again.
    /// </summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];
    /// <summary>
    /// Told of every transition (exporters); their failures are logged as warnings, never fail the run. One that is also an
    /// <see cref="ILogSink"/> gets every log event of the run too (every level, secrets already masked).
    /// </summary>
    public IReadOnlyList<IRunObserver> Observers { get; init; } = [];
    /// <summary>Stages (id or name) that run even when up to date (<c>--force</c>).</summary>
    public IReadOnlyList<string> Force { get; init; } = [];
    /// <summary>This stage and everything downstream of it run even when up to date (<c>--from</c>).</summary>
    public string? From { get; init; }
    /// <summary>Only this stage and what it depends on are considered; the rest of the job is left as it is (<c>--until</c>).</summary>
    public string? Until { get; init; }
    /// <summary>The result cache shared across jobs (see docs/cache.md); null: none, every stage that must run runs.</summary>
    public string? Cache { get; init; }
    /// <summary>Told why each stage runs or is up to date, as soon as that is decided (<c>--explain</c>).</summary>
    public IProgress<(string StageId, Caching.StageDecision Decision)>? Decisions { get; init; }
}
