using Waybill.Core.Execution;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.Alignment;

public sealed class AlignmentStage : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken) => throw new NotImplementedException();
}
