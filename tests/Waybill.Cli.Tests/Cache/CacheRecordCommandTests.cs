using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Cache;

/// <summary>
/// A result cache record is data, never code: a version command it names is run again only when the stage declares it
/// now or a stage's code registered it in this run. The cache folder may be shared, so anyone who can write it could
/// otherwise run a command in every job that looks the fingerprint up.
/// </summary>
public sealed class CacheRecordCommandTests : IDisposable
{
    private const string Pipeline = """
        name: cached
        stages:
          - id: 01_make
            run: 'echo 01_make >> "$COUNTER"; seq 1 20 > {out.numbers}'
            outputs: { numbers: numbers.txt }
        """;

    private readonly TempFolder _temp = new();

    public CacheRecordCommandTests() => _temp.Write("waybill.yaml", Pipeline);

    public void Dispose() => _temp.Dispose();

    private Task<CliProcess.Result> Run(string job) =>
        CliProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["COUNTER"] = _temp.Combine("counter") },
            ["run", "waybill.yaml", "--job-id", job, "--cache", _temp.Combine("cache")]);

    [Fact]
    public async Task A_record_naming_a_tool_command_the_stage_does_not_declare_never_runs_it_and_the_stage_runs()
    {
        var first = await Run("a");
        Assert.True(first.ExitCode == 0, first.All);
        var list = await CliProcess.RunAsync(_temp.Path, ["cache", "list", "--cache", _temp.Combine("cache"), "--json"]);
        Assert.True(list.ExitCode == 0, list.All);
        var folder = (string)JsonNode.Parse(list.Stdout)!.AsArray().Single()!["folder"]!;
        var recordPath = Path.Combine(folder, "record.json");
        var record = JsonNode.Parse(File.ReadAllText(recordPath))!.AsObject();
        var marker = _temp.Combine("marker");
        record["extra_tools"] = new JsonArray(new JsonObject { ["tool"] = "sh", ["command"] = $"touch '{marker}'", ["version"] = "1" });
        File.WriteAllText(recordPath, record.ToJsonString());

        var second = await Run("b");

        Assert.True(second.ExitCode == 0, second.All);
        Assert.False(File.Exists(marker), "the command a cache record named was run");
        Assert.Equal(["01_make", "01_make"], File.ReadAllLines(_temp.Combine("counter")));
        var manifest = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "b", "01_make", "manifest.json")))!.AsObject();
        Assert.Null(manifest["reused_from"]);
        Assert.DoesNotContain("touch", manifest.ToJsonString(), StringComparison.Ordinal);
        // The stage's own result replaced the entry: the next job restores it, and still nothing of the edit runs.
        Assert.DoesNotContain("touch", File.ReadAllText(recordPath), StringComparison.Ordinal);
        var third = await Run("c");
        Assert.True(third.ExitCode == 0, third.All);
        Assert.Equal(2, File.ReadAllLines(_temp.Combine("counter")).Length);
        Assert.False(File.Exists(marker));
    }
}
