using Waybill.Core.Execution;
using Waybill.Core.Integrity;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Retention;
using Waybill.Core.Tests.Execution;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Integrity;

/// <summary>What clean may delete: the job's own files only, resolved through every link.</summary>
public sealed class JobCleanerTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_retained_intermediate_outside_the_job_is_kept_and_one_inside_is_deleted()
    {
        var shared = _temp.Write("shared/model.bin", "weights");
        var pipeline = new PipelineBuilder("cache", _temp.Path)
            .Stage("01_use", DelegateStage.Of(async (ctx, ct) =>
            {
                ctx.TrackIntermediate(shared, "model", retained: true, reason: "shared model cache");
                var raw = Path.Combine(ctx.CacheDir, "raw.json");
                await File.WriteAllTextAsync(raw, "{}", ct);
                ctx.TrackIntermediate(raw, retained: true, reason: "raw tool output");
                await File.WriteAllTextAsync(ctx.OutputPath("text"), "used", ct);
            }), s => s.Output("text", "text.txt")).Build();
        var run = await PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out") }, TestContext.Current.CancellationToken);
        var layout = new JobLayout(run.JobDir);

        var result = JobCleaner.Clean(layout, new CleanRequest(CleanScope.Intermediates, null, DryRun: false, "test"), TimeProvider.System);

        Assert.Equal("01_use/.cache/raw.json", Assert.Single(result.Deleted).Path);
        Assert.Equal(shared, Assert.Single(result.Kept).Path);
        Assert.True(File.Exists(shared));
        Assert.False(File.Exists(Path.Combine(layout.Root, "01_use", ".cache", "raw.json")));
        var records = ManifestJson.ReadStage(layout.StageManifestPath("01_use")).IntermediateFiles;
        Assert.Null(records.Single(r => r.Path == shared).DeletedAt);
        Assert.NotNull(records.Single(r => r.Path == "01_use/.cache/raw.json").DeletedAt);
        Assert.True(JobVerifier.Verify(layout).IsSound);
    }

    [Fact]
    public void Real_paths_resolve_links_in_every_part()
    {
        var real = _temp.Combine("real");
        Directory.CreateDirectory(Path.Combine(real, "inner"));
        Directory.CreateSymbolicLink(_temp.Combine("hop"), real);
        File.CreateSymbolicLink(_temp.Combine("relative"), "hop");
        Assert.Equal(Path.Combine(RealPath.Of(real), "inner", "file"), RealPath.Of(_temp.Combine("relative", "inner", "file")));
        File.CreateSymbolicLink(_temp.Combine("loop"), _temp.Combine("loop"));
        Assert.Throws<IOException>(() => RealPath.Of(_temp.Combine("loop", "x")));
    }

    [Fact]
    public void Outputs_without_a_stage_and_an_unknown_stage_are_refused()
    {
        var layout = new JobLayout(_temp.Combine("out", "job"));
        Directory.CreateDirectory(layout.Root);
        ManifestJson.Write(layout.JobManifestPath, new JobManifest
        {
            JobId = "job", RunId = "r", Pipeline = "p", Host = "h", WaybillVersion = "0",
            Stages = [new JobStageSummary { StageId = "01_a", Stage = "a", Status = "success", Manifest = "01_a/manifest.json" }],
        });
        Assert.Throws<CleanRefusedException>(() => JobCleaner.Clean(layout, new CleanRequest(CleanScope.Outputs, null, true, "t"), TimeProvider.System));
        var unknown = Assert.Throws<CleanRefusedException>(() => JobCleaner.Clean(layout, new CleanRequest(CleanScope.Intermediates, "zz", true, "t"), TimeProvider.System));
        Assert.Equal("job job has no stage 'zz'", unknown.Message);
        Assert.Equal("stages: 01_a", unknown.Hint);
    }
}
