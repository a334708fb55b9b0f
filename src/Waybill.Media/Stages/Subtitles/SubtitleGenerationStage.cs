using Waybill.Core.Execution;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.Subtitles;

public sealed class SubtitleGenerationStage : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken) => throw new NotImplementedException();
}
