using Waybill.Core.Execution;

namespace Waybill.Core.Stages;

/// <summary>A stage does its work; the engine does the bookkeeping (folders, logs, manifests, checksums, resources).</summary>
public interface IStage
{
    Task RunAsync(StageContext context, CancellationToken cancellationToken);
}
