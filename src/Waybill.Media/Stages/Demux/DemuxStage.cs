using Waybill.Core.Execution;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.Demux;

public sealed class DemuxStage : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken) => throw new NotImplementedException();
}
