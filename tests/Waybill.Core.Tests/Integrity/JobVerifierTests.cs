using Waybill.Core.Execution;
using Waybill.Core.Hashing;
using Waybill.Core.Integrity;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Waybill.Core.Tests.Execution;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Integrity;

/// <summary>The verifier on jobs run in-process with C# stages: algorithms, severities, what a stage's status means.</summary>
public sealed class JobVerifierTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<JobLayout> Run(PipelineDefinition pipeline)
    {
        var result = await PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1 }, TestContext.Current.CancellationToken);
        return new JobLayout(result.JobDir);
    }

    private static Func<IStage> Writes(string output, string content, bool fail = false) => DelegateStage.Of(async (ctx, ct) =>
    {
        await File.WriteAllTextAsync(ctx.OutputPath(output), content, ct);
        ctx.TrackOutput(ctx.OutputPath(output), "text");
        if (fail) throw new StageFailedException("failed after writing");
    });

    [Fact]
    public async Task A_checksum_is_recomputed_with_the_algorithm_it_names()
    {
        var layout = await Run(new PipelineBuilder("sha", _temp.Path).Checksum(ChecksumAlgorithm.Sha256)
            .Stage("01_write", Writes("text", "abcdef"), s => s.Output("text", "text.txt")).Build());
        Assert.True(JobVerifier.Verify(layout).IsSound);

        File.WriteAllText(Path.Combine(layout.Root, "01_write", "text.txt"), "abcdeX");
        var finding = Assert.Single(JobVerifier.Verify(layout).Findings, f => f.Severity == FindingSeverity.Error);
        Assert.Equal("checksum_mismatch", finding.Kind);
        Assert.StartsWith("sha256:", finding.Expected, StringComparison.Ordinal);
        Assert.StartsWith("sha256:", finding.Actual, StringComparison.Ordinal);
        Assert.Equal(FileHasher.Compute(Path.Combine(layout.Root, "01_write", "text.txt"), ChecksumAlgorithm.Sha256), finding.Actual);
    }

    [Fact]
    public async Task A_failed_stage_leftovers_that_changed_are_warnings()
    {
        var layout = await Run(new PipelineBuilder("failing", _temp.Path)
            .Stage("01_write", Writes("text", "partial", fail: true), s => s.Output("text", "text.txt")).Build());
        Assert.Equal("failed", ManifestJson.ReadStage(layout.StageManifestPath("01_write")).Status);
        File.WriteAllText(Path.Combine(layout.Root, "01_write", "text.txt"), "PARTIAL");

        var report = JobVerifier.Verify(layout);
        Assert.True(report.IsSound);
        var finding = Assert.Single(report.Findings, f => f.Severity != FindingSeverity.Info);
        Assert.Equal((FindingSeverity.Warning, "checksum_mismatch"), (finding.Severity, finding.Kind));
    }

    [Fact]
    public async Task A_retained_intermediate_outside_the_job_that_changed_is_a_warning()
    {
        var shared = _temp.Write("shared/model.bin", "weights v1");
        var layout = await Run(new PipelineBuilder("cache", _temp.Path)
            .Stage("01_use", DelegateStage.Of(async (ctx, ct) =>
            {
                ctx.TrackIntermediate(shared, "model", retained: true, reason: "shared model cache");
                await File.WriteAllTextAsync(ctx.OutputPath("text"), "used", ct);
            }), s => s.Output("text", "text.txt")).Build());

        File.WriteAllText(shared, "weights v2");
        var report = JobVerifier.Verify(layout);
        Assert.True(report.IsSound);
        var finding = Assert.Single(report.Findings, f => f.Severity != FindingSeverity.Info);
        Assert.Equal(FindingSeverity.Warning, finding.Severity);
        Assert.Equal(shared, finding.Path);
        Assert.Contains("outside the job folder", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_file_is_counted_and_every_finding_is_ordered_by_stage()
    {
        var layout = await Run(new PipelineBuilder("two", _temp.Path)
            .Stage("01_a", Writes("a", "a"), s => s.Output("a", "a.txt"))
            .Stage("02_b", Writes("b", "b"), s => s.Output("b", "b.txt")).Build());
        File.Delete(Path.Combine(layout.Root, "02_b", "b.txt"));
        File.Delete(Path.Combine(layout.Root, "01_a", "a.txt"));

        var report = JobVerifier.Verify(layout);
        Assert.Equal(["01_a", "02_b"], report.Findings.Where(f => f.Severity == FindingSeverity.Error).Select(f => f.Stage));
        // Job manifest, two stage manifests, two outputs, two stage logs, and the run logs.
        Assert.True(report.FilesChecked >= 7, $"{report.FilesChecked} files checked");
        Assert.Equal(2, report.Errors);
    }
}
