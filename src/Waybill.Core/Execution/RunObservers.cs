using Microsoft.Extensions.Logging;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>Calls every observer, turning an observer's exception into a warning in the pipeline log.</summary>
internal sealed class RunObservers(IReadOnlyList<IRunObserver> observers, ILogger log)
{
    // Stages start from their own tasks; observers are told one thing at a time.
    private readonly Lock _gate = new();

    public void Each(Action<IRunObserver> call)
    {
        if (observers.Count == 0) return;
        lock (_gate)
        foreach (var observer in observers)
        {
            try
            {
                call(observer);
            }
#pragma warning disable CA1031 // An exporter's failure is reported, never allowed to fail the run.
            catch (Exception e)
#pragma warning restore CA1031
            {
                log.LogWarning("{Observer} failed: {Reason}", observer.GetType().Name, e.Message);
            }
        }
    }

    public void StagesEnded(StageStatus status, DateTimeOffset at) => Each(o => (o as IStagesEndedObserver)?.StagesEnded(status, at));

    public async Task FinishAsync(StageStatus status, DateTimeOffset at)
    {
        foreach (var observer in observers)
        {
            try
            {
                await observer.JobFinishedAsync(status, at);
            }
#pragma warning disable CA1031
            catch (Exception e)
#pragma warning restore CA1031
            {
                log.LogWarning("{Observer} failed: {Reason}", observer.GetType().Name, e.Message);
            }
        }
    }
}
