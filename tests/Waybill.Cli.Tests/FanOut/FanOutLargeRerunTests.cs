using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.FanOut;

/// <summary>
/// A fan-out large enough that the run keeps no whole manifest in memory reads its items' previous manifests without
/// their config (no decision reads it): a rerun still finds every item up to date, leaves the config each manifest
/// records as it was, and runs every item again when a config key its command reads changes.
/// </summary>
public sealed class FanOutLargeRerunTests : IDisposable
{
    // With the list stage, one stage run more than a run keeps whole manifests of (KeptOutcome.WholeUpTo, 5,000).
    private const int Items = 5_000;

    private const string Pipeline = """
        name: large
        config:
          greeting: hello
          model: { size: large, langs: [en, de] }
        stages:
          - id: 01_list
            inputs: { src: items.txt }
            run: cp {in.src} {out.items}
            outputs: { items: items.txt }
          - id: 02_each
            foreach: { lines: 01_list.items }
            run: "true {config.greeting}"
        """;

    private readonly TempFolder _temp = new();

    public FanOutLargeRerunTests()
    {
        _temp.Write("waybill.yaml", Pipeline);
        _temp.Write("items.txt", string.Join('\n', Enumerable.Range(1, Items).Select(i => $"i{i:D4}")) + "\n");
    }

    public void Dispose() => _temp.Dispose();

    private async Task Run(params string[] more)
    {
        var result = await CliProcess.RunAsync(_temp.Path, ["run", "waybill.yaml", "--job-id", "j", "--jobs", "2", .. more]);
        Assert.True(result.ExitCode == 0, result.All);
    }

    private JsonArray JobStages() => JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", "manifest.json")))!["stages"]!.AsArray();

    private static IEnumerable<JsonNode> Each(JsonArray stages) =>
        stages.Select(s => s!).Where(s => ((string?)s["stage_id"])!.StartsWith("02_each[", StringComparison.Ordinal));

    [Fact]
    public async Task A_rerun_decides_every_item_without_reading_its_config_and_a_changed_key_runs_them_all_again()
    {
        await Run();
        var manifest = _temp.Combine("out", "j", "02_each", "i2500", "manifest.json");
        var recorded = File.ReadAllBytes(manifest);
        Assert.Equal("large", (string?)JsonNode.Parse(recorded)!["config"]!["model"]!["size"]);

        await Run();
        Assert.Equal(Items, Each(JobStages()).Count(s => (string?)s["status_reason"] == "up to date"));
        Assert.Equal(recorded, File.ReadAllBytes(manifest));

        await Run("--set", "greeting=bye");
        var again = Each(JobStages()).ToList();
        Assert.Equal(Items, again.Count(s => (string?)s["status"] == "success"));
        var reasons = JsonNode.Parse(File.ReadAllText(manifest))!["reasons"]!.AsArray().Select(r => (string?)r).ToList();
        Assert.Contains("config.greeting changed: hello → bye", reasons);
    }
}
