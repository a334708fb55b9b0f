using Waybill.Core.Execution;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.Lyrics;

public sealed class LyricsDetectionStage : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken) => throw new NotImplementedException();
}
