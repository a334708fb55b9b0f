using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Vad;

/// <summary>Runs one stage through the real engine in a job folder and reads back its manifest.</summary>
public sealed record StageRun(RunResult Result, StageManifest Manifest, string StageDir)
{
    public static async Task<StageRun> RunAsync(TempFolder temp, PipelineBuilder builder, string stageId)
    {
        var result = await PipelineRunner.RunAsync(builder.Build(),
            new RunOptions { JobId = "job", OutputRoot = temp.Combine("out"), MaxParallel = 1 }, TestContext.Current.CancellationToken);
        JobAssert.ManifestsAreValid(result.JobDir);
        var stageDir = Path.Combine(result.JobDir, stageId);
        return new StageRun(result, ManifestJson.ReadStage(Path.Combine(stageDir, "manifest.json")), stageDir);
    }

    public FileRecord Output(string name) => Manifest.Outputs.Single(o => o.Name == name);

    public double Resource(string key) => Manifest.Resources.Extra![key].GetDouble();

    public string Log => File.ReadAllText(Path.Combine(StageDir, "stage.log"));
}
