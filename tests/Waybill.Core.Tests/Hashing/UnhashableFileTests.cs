using System.Diagnostics;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Tests.Execution;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Checksums;

/// <summary>A tracked path that is not a regular file is reported, never opened: a FIFO would block the run forever.</summary>
public sealed class UnhashableFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_tracked_fifo_gets_a_warning_instead_of_a_checksum_and_the_run_ends()
    {
        var pipeline = new PipelineBuilder("fifo", _temp.Path)
            .Stage("01_feed", DelegateStage.Of(async (ctx, ct) =>
            {
                var fifo = Path.Combine(ctx.CacheDir, "feed");
                using (var mkfifo = Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync(ct);
                ctx.TrackIntermediate(fifo, retained: false, reason: "a pipe between two tools");
            }))
            .Build();

        var result = await PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out") }, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(StageStatus.Success, result.Status);
        var manifest = ManifestJson.ReadStage(_temp.Combine("out", "job", "01_feed", "manifest.json"));
        var fifoRecord = manifest.IntermediateFiles.Single();
        Assert.Null(fifoRecord.Checksum);
        var fullPath = _temp.Combine("out", "job", "01_feed", ".cache", "feed");
        Assert.Equal($"tracked file 01_feed/.cache/feed: {fullPath} is not a regular file but a FIFO, socket or device; only regular files have checksums",
            manifest.Warnings.Single().Message);
    }
}
