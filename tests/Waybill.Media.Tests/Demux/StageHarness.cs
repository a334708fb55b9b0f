using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Demux;

/// <summary>Runs pipelines in a real job folder under a <see cref="TempFolder"/> and reads back what they wrote.</summary>
internal sealed class StageHarness(TempFolder temp)
{
    public string JobDir(string jobId = "job") => temp.Combine("out", jobId);

    public string StageDir(string stageId, string jobId = "job") => temp.Combine("out", jobId, stageId);

    public async Task<RunResult> RunAsync(PipelineDefinition pipeline, string jobId = "job")
    {
        var result = await PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = jobId, OutputRoot = temp.Combine("out"), MaxParallel = 1 }, TestContext.Current.CancellationToken);
        JobAssert.ManifestsAreValid(result.JobDir);
        return result;
    }

    public StageManifest Manifest(string stageId, string jobId = "job") => ManifestJson.ReadStage(temp.Combine("out", jobId, stageId, "manifest.json"));

    public string StageLog(string stageId, string jobId = "job") => File.ReadAllText(temp.Combine("out", jobId, stageId, "stage.log"));

    /// <summary>The reason a stage failed, asserting that it did.</summary>
    public string Failure(string stageId, string jobId = "job")
    {
        var manifest = Manifest(stageId, jobId);
        Assert.True(manifest.Status == "failed", $"{stageId} is {manifest.Status}, not failed ({manifest.StatusReason})");
        return manifest.StatusReason ?? manifest.Errors.FirstOrDefault()?.Message ?? "";
    }
}
