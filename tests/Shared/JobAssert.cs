using Waybill.Core.Manifests;
using Xunit;

namespace Waybill.Tests.Support;

/// <summary>Every job folder a test produces is checked: every manifest validates against the shipped schemas.</summary>
public static class JobAssert
{
    public static void ManifestsAreValid(string jobDir)
    {
        var problems = new List<string>();
        var job = Path.Combine(jobDir, "manifest.json");
        Assert.True(File.Exists(job), $"job manifest missing in {jobDir}");
        problems.AddRange(ManifestValidator.ValidateJob(job));
        foreach (var stage in Directory.GetDirectories(jobDir))
        {
            var manifest = Path.Combine(stage, "manifest.json");
            if (File.Exists(manifest)) problems.AddRange(ManifestValidator.ValidateStage(manifest));
            // A fan-out stage's item runs: NN_name/<key>/manifest.json.
            foreach (var item in Directory.GetDirectories(stage).Select(d => Path.Combine(d, "manifest.json")).Where(File.Exists))
                problems.AddRange(ManifestValidator.ValidateStage(item));
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
