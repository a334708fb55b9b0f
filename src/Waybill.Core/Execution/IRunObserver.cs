using Microsoft.Extensions.Logging;
using Waybill.Core.Manifests;
using Waybill.Core.Jobs;
using Waybill.Core.Pipeline;

namespace Waybill.Core.Execution;

/// <summary>
/// Told of a run's transitions as the orchestrator makes them (exporters such as OpenLineage). Calls come from the
/// orchestrator's loop, one at a time; an observer must not block it for long, and its failures never fail the run.
/// </summary>
public interface IRunObserver
{
    void JobStarted(RunStarted run);

    void StageStarted(StageInvocation invocation, DateTimeOffset at);

    /// <summary>Every stage ends here once: ran (success, failed, cancelled) or not run (skipped, up to date).</summary>
    void StageFinished(StageInvocation invocation, StageOutcome outcome, DateTimeOffset at);

    /// <summary>The last call; pending work (e.g. HTTP posts) is finished or given up here, within a bounded time.</summary>
    Task JobFinishedAsync(StageStatus status, DateTimeOffset at);
}

/// <summary>What an observer learns when the run starts; <see cref="Log"/> is the pipeline log, for the observer's own warnings.</summary>
public sealed record RunStarted(PipelineDefinition Pipeline, JobLayout Layout, string RunId, DateTimeOffset At, ILogger Log, Secrets.Redactor Redactor);
