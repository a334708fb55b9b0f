using Waybill.Core.Execution;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.Glossary;

public sealed class GlossaryStage : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken) => throw new NotImplementedException();
}
