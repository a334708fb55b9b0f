using Waybill.Core.Execution;
using Waybill.Core.Execution.Resources;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution.Resources;

/// <summary>C# stages whose code blocks run side by side up to --jobs, like command stages.</summary>
public sealed class SynchronousStageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Two_synchronous_code_stages_overlap_when_two_may_run_at_once()
    {
        // Each stage waits, blocking its thread, until the other has reached the same point: they succeed only together.
        using var both = new Barrier(2);
        var pipeline = new PipelineBuilder("sync", _temp.Path)
            .Stage("01_left", () => new BlockingStage(both))
            .Stage("02_right", () => new BlockingStage(both))
            .Build();
        var options = TwoSlots.Options(_temp.Combine("out"));

        var result = await PipelineRunner.RunAsync(pipeline, options, TestContext.Current.CancellationToken);

        Assert.True(result.Status == StageStatus.Success, string.Join("; ", result.Stages.Select(s => $"{s.StageId}: {s.Reason}")));
    }

    /// <summary>Synchronous on purpose: its task is complete before RunAsync returns.</summary>
    private sealed class BlockingStage(Barrier barrier) : IStage
    {
        public Task RunAsync(StageContext context, CancellationToken cancellationToken)
        {
            if (!barrier.SignalAndWait(TimeSpan.FromSeconds(30), cancellationToken))
                throw new StageFailedException("the other stage did not run alongside this one within 30 s");
            return Task.CompletedTask;
        }
    }
}
