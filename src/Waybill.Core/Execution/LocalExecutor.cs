namespace Waybill.Core.Execution;

/// <summary>Runs stages in this process; command stages become child processes of it.</summary>
public sealed class LocalExecutor(RunServices services) : IStageExecutor
{
    public Task<StageOutcome> ExecuteAsync(StageInvocation invocation, CancellationToken cancellationToken) =>
        StageRunner.RunAsync(invocation, services, cancellationToken);
}
