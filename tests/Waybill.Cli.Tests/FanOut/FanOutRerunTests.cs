using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.FanOut;

/// <summary>
/// A rerun of a fan-out of many items, whose previous manifests are read ahead on another thread, decides each item from
/// its own record: items far apart in the list whose manifest was edited, damaged or deleted, whose output changed (in
/// size, or in content with its time put back), run again; the others stay up to date, untouched.
/// </summary>
public sealed class FanOutRerunTests : IDisposable
{
    // More items than the read-ahead holds at once (64), so reads are made ahead, at the decision, and after it.
    private const int Items = 300;

    private const string Pipeline = """
        name: many
        stages:
          - id: 01_list
            inputs: { src: items.txt }
            run: cp {in.src} {out.items}
            outputs: { items: items.txt }
          - id: 02_each
            foreach: { lines: 01_list.items }
            run: echo {stage.id} >> ../../../../runs.log; printf '%s' {item.value} > {out.v}
            outputs: { v: v.txt }
        """;

    private readonly TempFolder _temp = new();

    public FanOutRerunTests()
    {
        _temp.Write("waybill.yaml", Pipeline);
        _temp.Write("items.txt", string.Join('\n', Enumerable.Range(1, Items).Select(i => $"i{i:D3}")) + "\n");
    }

    public void Dispose() => _temp.Dispose();

    private string Item(string key, string file) => _temp.Combine("out", "j", "02_each", key, file);

    private async Task<CliProcess.Result> Run()
    {
        var result = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "2");
        Assert.True(result.ExitCode == 0, result.All);
        return result;
    }

    [Fact]
    public async Task Only_items_whose_record_or_output_changed_run_again()
    {
        await Run();
        File.Delete(_temp.Combine("runs.log"));
        var untouched = File.ReadAllBytes(Item("i150", "manifest.json"));
        // An edited manifest (its record no longer says what ran), a damaged one, a deleted one.
        var edited = JsonNode.Parse(File.ReadAllText(Item("i002", "manifest.json")))!;
        edited["fingerprint"]!["definition"] = "xxh128:00000000000000000000000000000000";
        File.WriteAllText(Item("i002", "manifest.json"), edited.ToJsonString());
        File.WriteAllText(Item("i100", "manifest.json"), "{ not json");
        File.Delete(Item("i200", "manifest.json"));
        // An output grown, and one changed in content with its size and time put back.
        File.AppendAllText(Item("i250", "v.txt"), "more");
        var output = Item("i299", "v.txt");
        var time = File.GetLastWriteTimeUtc(output);
        File.WriteAllText(output, "i29X");
        File.SetLastWriteTimeUtc(output, time);

        await Run();

        // Size and time as recorded are trusted without reading the file (as make and git do): i299 stays as it is,
        // as it did before manifests were read ahead; `waybill verify` is what reads every byte.
        Assert.Equal(["02_each[i002]", "02_each[i100]", "02_each[i200]", "02_each[i250]"], Runs());
        Assert.Equal("i250", File.ReadAllText(Item("i250", "v.txt")));
        Assert.Equal(untouched, File.ReadAllBytes(Item("i150", "manifest.json")));
        var stages = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", "manifest.json")))!["stages"]!.AsArray();
        var upToDate = stages.Count(s =>
            (string?)s!["status_reason"] == "up to date" && ((string?)s["stage_id"])!.StartsWith("02_each[", StringComparison.Ordinal));
        Assert.Equal(Items - 4, upToDate);
    }

    private List<string> Runs() =>
        File.Exists(_temp.Combine("runs.log")) ? [.. File.ReadAllLines(_temp.Combine("runs.log")).Order(StringComparer.Ordinal)] : [];
}
