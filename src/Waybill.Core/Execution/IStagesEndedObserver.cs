using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>
/// An observer told as soon as the run's last stage has ended, before the run writes its own records, so that it can
/// start its last work on a core the stages no longer use: its <see cref="IRunObserver.JobFinishedAsync"/> then waits for
/// that work, with the same <paramref name="status"/>.
/// </summary>
internal interface IStagesEndedObserver
{
    void StagesEnded(StageStatus status, DateTimeOffset at);
}
