using System.Text.Json.Nodes;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Xunit;

namespace Waybill.Core.Tests.Pipeline;

/// <summary>A built-in stage's config checks run when the pipeline is loaded, on the config merged with --set.</summary>
public sealed class BuiltinConfigCheckTests
{
    private const string Pipeline = """
        name: p
        config: { language: en }
        stages:
          - id: 01_fetch
            uses: test.fetch
            config: { url: "" }
            outputs: { page: page.html }
        """;

    private sealed class NoStage : IStage
    {
        public Task RunAsync(Waybill.Core.Execution.StageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static IEnumerable<ConfigProblem> NeedsUrl(JsonObject config)
    {
        if ((config["url"]?.GetValue<string>() ?? "").Length == 0) yield return new ConfigProblem("url", "the fetch needs a URL", "http://example.test/");
    }

    private static BuiltinStages Builtins() => BuiltinStages.Default
        .Add("test.fetch", () => new NoStage())
        .AddCheck("test.fetch", NeedsUrl)
        .AddCheck("test.fetch", config => config["language"]?.GetValue<string>() == "xx" ? [new ConfigProblem("language", "unknown")] : []);

    [Fact]
    public void A_problem_names_the_stage_and_key_and_shows_how_to_set_it()
    {
        var error = Assert.Throws<PipelineInvalidException>(() => PipelineFileLoader.Parse(Pipeline, "/work/p/waybill.yaml", builtins: Builtins()));

        var problem = Assert.Single(error.Errors);
        Assert.Equal("01_fetch.url", problem.Field);
        Assert.Equal("config 'url': the fetch needs a URL", problem.Message);
        Assert.Equal("set 'url' in the config of 01_fetch, or on the command line: --set fetch.url=http://example.test/", problem.Hint);
        Assert.Equal(4, problem.Location!.Line);
    }

    [Fact]
    public void The_checks_see_the_pipeline_config_and_set_overrides_and_every_problem_is_reported()
    {
        var fixedUrl = PipelineFileLoader.Parse(Pipeline, "/work/p/waybill.yaml", ["fetch.url=http://example.test/"], Builtins());
        Assert.Equal("http://example.test/", fixedUrl.ConfigFor(fixedUrl.Find("fetch")!)["url"]!.GetValue<string>());

        var error = Assert.Throws<PipelineInvalidException>(() => PipelineFileLoader.Parse(Pipeline, "/work/p/waybill.yaml", ["language=xx"], Builtins()));
        Assert.Equal(["01_fetch.url", "01_fetch.language"], error.Errors.Select(e => e.Field));
        Assert.Null(error.Errors[1].Hint);
    }

    [Fact]
    public void Without_the_check_registered_the_same_config_loads()
    {
        var builtins = BuiltinStages.Default.Add("test.fetch", () => new NoStage());
        Assert.Single(PipelineFileLoader.Parse(Pipeline, "/work/p/waybill.yaml", builtins: builtins).Stages);
    }
}
