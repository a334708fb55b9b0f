using System.Text.Json.Nodes;
using Waybill.Core.Jobs;
using Waybill.Core.Pipeline;
using Waybill.Core.Pipeline.Limits;
using Xunit;

namespace Waybill.Core.Tests.Pipeline;

public sealed class PipelineLimitsTests
{
    [Fact]
    public void A_cancelled_load_stops_with_operation_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            PipelineFileLoader.Parse("stages:\n  - id: 01_a\n    run: echo\n", "/p/waybill.yaml", cancellationToken: cancel.Token));
    }

    [Fact]
    public void Config_built_in_code_deeper_than_the_limit_is_refused_by_the_validator_without_recursion()
    {
        // 100,000 levels: recursive code (DeepClone, masking, hashing) would overflow the stack; the check is a loop.
        // Built from the inside out: attaching a child checks the parent's ancestors, so top-down building is quadratic.
        var root = new JsonObject();
        for (var i = 0; i < 100_000; i++) root = new JsonObject { ["k"] = root };
        var pipeline = new PipelineDefinition
        {
            Name = "p", SourcePath = "/p/x.cs", BaseDirectory = "/p", Config = root,
            Stages = [new StageDefinition { Id = "01_a", Number = 1, Name = "a", Kind = StageKind.Command, Command = "echo" }],
        };
        var error = Assert.Single(PipelineValidator.Validate(pipeline));
        Assert.StartsWith("config nests more than 32 levels deep (at k.k.k", error.Message);
    }

    [Fact]
    public void The_names_the_engine_reserves_in_a_stage_folder_match_the_job_layout()
    {
        var layout = new JobLayout("/jobs/j");
        Assert.Equal(StageFolderNames.Manifest, Path.GetFileName(layout.StageManifestPath("01_a")));
        Assert.Equal(StageFolderNames.Log, Path.GetFileName(layout.StageLogPath("01_a")));
        Assert.Equal(StageFolderNames.CacheFolder, Path.GetFileName(layout.StageCacheDir("01_a")));
        Assert.Contains(Path.GetFileName(layout.EventsPath), StageFolderNames.Reserved);
        foreach (var name in new[] { layout.StageManifestPath("01_a"), layout.StageLogPath("01_a"), layout.StageCacheDir("01_a") + "/x" })
            Assert.NotNull(StageFolderNames.EngineUse(Path.GetRelativePath(layout.StageDir("01_a"), name).Split('/')[0]));
    }

    [Theory]
    [InlineData("v", true)]
    [InlineData("06_asr.model", true)]
    [InlineData("a.b-c.d_e", true)]
    [InlineData("", false)]
    [InlineData(".v", false)]
    [InlineData("v.", false)]
    [InlineData("a..b", false)]
    [InlineData("a b", false)]
    [InlineData("v\n", false)]
    [InlineData("ü", false)]
    public void Set_keys_are_names_joined_by_single_dots(string key, bool accepted) => Assert.Equal(accepted, OverrideKeys.Problem(key) is null);
}
