namespace Waybill.Core.Execution;

/// <summary>
/// Where a stage runs: in this process (<see cref="LocalExecutor"/>) or elsewhere (a scheduler running
/// <c>waybill exec-stage</c>). The orchestrator decides what runs when; the executor only runs it.
/// </summary>
public interface IStageExecutor
{
    Task<StageOutcome> ExecuteAsync(StageInvocation invocation, CancellationToken cancellationToken);
}
