using Waybill.Core.Execution;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.SourceSeparation;

public sealed class SourceSeparationStage : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken) => throw new NotImplementedException();
}
