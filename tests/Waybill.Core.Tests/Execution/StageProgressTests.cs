using System.Collections.Concurrent;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution;

/// <summary>A stage's progress reports reach the run's progress display, stamped with the stage that made them.</summary>
public sealed class StageProgressTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ReportProgress_reaches_the_run_with_the_stage_id_and_is_clamped_to_the_total()
    {
        var reports = new ConcurrentQueue<StageProgress>();
        var pipeline = new PipelineBuilder("progress", _temp.Path)
            .Stage("01_parts", DelegateStage.Of((ctx, _) =>
            {
                ctx.ReportProgress(1, 4, "parts");
                ctx.ReportProgress(9, 4, "parts");
                ctx.ReportProgress(1, 0, "parts"); // no total: nothing to show
                return Task.CompletedTask;
            }))
            .Build();

        var result = await PipelineRunner.RunAsync(pipeline, new RunOptions
        {
            JobId = "job",
            OutputRoot = _temp.Combine("out"),
            StageProgress = new Collect(reports),
        }, CancellationToken.None);

        Assert.Equal(StageStatus.Success, result.Status);
        Assert.Equal([new StageProgress("01_parts", 1, 4, "parts"), new StageProgress("01_parts", 4, 4, "parts")], reports.ToArray());
    }

    [Fact]
    public async Task Without_a_display_ReportProgress_does_nothing()
    {
        var pipeline = new PipelineBuilder("progress", _temp.Path)
            .Stage("01_parts", DelegateStage.Of((ctx, _) =>
            {
                ctx.ReportProgress(1, 4);
                return Task.CompletedTask;
            }))
            .Build();
        var options = new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out") };
        var result = await PipelineRunner.RunAsync(pipeline, options, CancellationToken.None);
        Assert.Equal(StageStatus.Success, result.Status);
    }

    private sealed class Collect(ConcurrentQueue<StageProgress> reports) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => reports.Enqueue(value);
    }
}
