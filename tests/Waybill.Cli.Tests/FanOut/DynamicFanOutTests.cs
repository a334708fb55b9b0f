using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.FanOut;

/// <summary>
/// <c>foreach: { lines: … }</c> and <c>foreach: { json: … }</c>: items known only once an upstream stage has run. Each
/// item runs in its own folder, per-item chains pair by key, a gather waits for every item, and a rerun or a resume after
/// a kill runs only the items that have not run with their present inputs.
/// </summary>
public sealed class DynamicFanOutTests : IDisposable
{
    // Every item command appends its id to ../runs.log (outside the job), so a test can tell which items ran.
    private const string Pipeline = """
        name: dynamic
        stages:
          - id: 01_list
            inputs: { lines: list.txt, elements: list.json }
            run: cp {in.lines} {out.items}; cp {in.elements} {out.json}
            outputs: { items: items.txt, json: items.json }
          - id: 02_split
            foreach: { lines: 01_list.items }
            run: echo {stage.id} >> ../../../../runs.log; printf '%s' {item.value} > {out.part}
            outputs: { part: part.txt }
          - id: 03_upper
            inputs: { part: 02_split.part }
            run: echo {stage.id} >> ../../../../runs.log; tr a-z A-Z < {in.part} > {out.up}
            outputs: { up: up.txt }
          - id: 04_gather
            inputs: { all: 03_upper.up[*] }
            run: cat {in.all} > {out.all}; cat {in.all.list} > {out.list}
            outputs: { all: all.txt, list: list.txt }
          - id: 05_json
            foreach: { json: 01_list.json }
            run: printf '%s=%s' {item.key} {item.value} > {out.v}
            outputs: { v: v.txt }
        """;

    private readonly TempFolder _temp = new();

    public DynamicFanOutTests()
    {
        _temp.Write("waybill.yaml", Pipeline);
        _temp.Write("list.txt", "alpha\nbeta\n\nGamma One\n");
        _temp.Write("list.json", """["x", {"key": "why", "n": 2}, 3]""");
    }

    public void Dispose() => _temp.Dispose();

    private string Job => _temp.Combine("out", "j");

    private Task<CliProcess.Result> Run(params string[] extra) =>
        CliProcess.RunAsync(_temp.Path, ["run", "waybill.yaml", "--job-id", "j", .. extra]);

    private List<string> Runs() => File.Exists(_temp.Combine("runs.log")) ? [.. File.ReadAllLines(_temp.Combine("runs.log"))] : [];

    [Fact]
    public async Task Lines_and_json_items_run_in_their_own_folders_pair_by_key_and_gather_in_list_order()
    {
        var result = await Run();
        Assert.True(result.ExitCode == 0, result.All);

        Assert.Equal("ALPHABETAGAMMA ONE", File.ReadAllText(Path.Combine(Job, "04_gather", "all.txt")));
        var listed = File.ReadAllLines(Path.Combine(Job, "04_gather", "list.txt"));
        Assert.Equal(["alpha", "beta", "gamma-one"], listed.Select(p => Path.GetFileName(Path.GetDirectoryName(p)!)));
        Assert.Equal("x=x", File.ReadAllText(Path.Combine(Job, "05_json", "x", "v.txt")));
        Assert.Equal("""why={"key": "why", "n": 2}""", File.ReadAllText(Path.Combine(Job, "05_json", "why", "v.txt")));
        Assert.Equal("3=3", File.ReadAllText(Path.Combine(Job, "05_json", "3", "v.txt")));

        // Each item has its own manifest and log, naming the item; the ASR-like follower read the same item upstream.
        var upper = Manifest("03_upper/gamma-one");
        Assert.Equal("03_upper[gamma-one]", (string?)upper["stage_id"]);
        Assert.Equal("gamma-one", (string?)upper["item"]!["key"]);
        Assert.Equal("Gamma One", (string?)upper["item"]!["value"]);
        Assert.Equal("02_split/gamma-one/part.txt", (string?)upper["inputs"]!.AsArray().Single()!["path"]);
        Assert.Contains("[stage.upper:gamma-one]", File.ReadAllText(Path.Combine(Job, "03_upper", "gamma-one", "stage.log")));

        // The fan-out's own manifest records the list it came from, with checksum, and the count.
        var split = Manifest("02_split");
        Assert.Equal("success", (string?)split["status"]);
        Assert.Equal(3, (int)split["summary"]!["items"]!);
        Assert.Equal("01_list/items.txt", (string?)split["inputs"]!.AsArray().Single()!["path"]);
        Assert.StartsWith("xxh128:", (string?)split["inputs"]!.AsArray().Single()!["checksum"]);

        // The gather's manifest lists every item's file with its checksum.
        var gathered = Manifest("04_gather")["inputs"]!.AsArray();
        Assert.Equal(["all[alpha]", "all[beta]", "all[gamma-one]"], gathered.Select(i => (string?)i!["name"]));
        Assert.All(gathered, i => Assert.StartsWith("xxh128:", (string?)i!["checksum"]));

        // The job manifest lists every stage run, items beside their stage, each pointing at its own manifest.
        var job = JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "manifest.json")))!["stages"]!.AsArray();
        var ids = job.Select(s => (string?)s!["stage_id"]).ToList();
        Assert.Equal(ids.IndexOf("02_split") + 1, ids.IndexOf("02_split[alpha]"));
        Assert.Equal("03_upper/beta/manifest.json", (string?)job.Single(s => (string?)s!["stage_id"] == "03_upper[beta]")!["manifest"]);
        Assert.Contains("Stage 02_split fans out into 3 items (lines of 01_list.items)", result.All);
    }

    [Fact]
    public async Task A_rerun_after_a_line_is_added_runs_only_the_new_item_and_the_gather()
    {
        Assert.Equal(0, (await Run()).ExitCode);
        File.Delete(_temp.Combine("runs.log"));
        _temp.Write("list.txt", "alpha\nbeta\n\nGamma One\ndelta\n");

        var result = await Run("--explain");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(["02_split[delta]", "03_upper[delta]"], Runs().Order(StringComparer.Ordinal));
        Assert.Equal("ALPHABETAGAMMA ONEDELTA", File.ReadAllText(Path.Combine(Job, "04_gather", "all.txt")));
        Assert.Matches(@"02_split\[alpha\]\s+up to date", result.Stdout);
    }

    [Fact]
    public async Task A_no_op_rerun_leaves_the_fan_out_s_own_record_as_it_is_and_reports_nothing_run()
    {
        Assert.Equal(0, (await Run()).ExitCode);
        var record = Path.Combine(Job, "02_split", "manifest.json");
        var written = File.ReadAllBytes(record);
        File.Delete(_temp.Combine("runs.log"));

        var rerun = await Run("--explain");

        Assert.True(rerun.ExitCode == 0, rerun.All);
        Assert.Empty(Runs());
        Assert.Equal(written, File.ReadAllBytes(record));
        Assert.Matches(@"02_split\s+up to date: the same list read into the same items since run", rerun.Stdout);
        Assert.Contains("SUCCESS (0 succeeded, 0 failed,", rerun.All);
        var status = await CliProcess.RunAsync(_temp.Path, "status", "j");
        Assert.Matches(@"\n02_split\s+skipped\s.*up to date", status.Stdout);
        var verify = await CliProcess.RunAsync(_temp.Path, "verify", "j");
        Assert.True(verify.ExitCode == 0, verify.All);

        // Another list is read again: the record is written anew, with the new count.
        _temp.Write("list.txt", "alpha\nbeta\n\nGamma One\ndelta\n");
        var changed = await Run("--explain");
        Assert.True(changed.ExitCode == 0, changed.All);
        Assert.Matches(@"02_split\s+ran: fanned out into 4 items", changed.Stdout);
        Assert.Equal(4, (int)Manifest("02_split")["summary"]!["items"]!);
        Assert.Equal(2, (int)Manifest("02_split")["attempt"]!);
    }

    [Fact]
    public async Task A_list_whose_items_collide_fails_the_fan_out_with_both_names_and_skips_what_follows()
    {
        _temp.Write("list.txt", "Episode 1\nepisode-1\n");

        var result = await Run();

        Assert.Equal(1, result.ExitCode);
        var split = Manifest("02_split");
        Assert.Equal("failed", (string?)split["status"]);
        var error = (string?)split["errors"]!.AsArray().Single()!["message"];
        Assert.Contains("'Episode 1' and 'episode-1' both get the key 'episode-1'", error);
        Assert.Contains("02_split cannot fan out", result.All);
        Assert.Equal("skipped", (string?)Manifest("04_gather")["status"]);
        Assert.Empty(Runs());
    }

    [Fact]
    public async Task A_list_above_the_item_limit_is_refused_with_its_size()
    {
        _temp.Write("list.txt", string.Concat(Enumerable.Range(1, 12).Select(i => $"i{i}\n")));

        var result = await CliProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["WAYBILL_MAX_ITEMS"] = "10" },
            "run", "waybill.yaml", "--job-id", "j");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("lists 12 items, more than the limit of 10", (string?)Manifest("02_split")["status_reason"]);
        Assert.Contains("WAYBILL_MAX_ITEMS", result.All);
        Assert.Empty(Runs());
    }

    [Fact]
    public async Task A_run_killed_in_the_middle_of_a_fan_out_resumes_without_rerunning_finished_items()
    {
        // Item gamma-one waits for a file the test creates only after the kill: alpha and beta finish before it.
        _temp.Write("waybill.yaml", Pipeline.Replace(
            "run: echo {stage.id} >> ../../../../runs.log; printf",
            "run: echo {stage.id} >> ../../../../runs.log; if [ {item.key} = gamma-one ]; then while [ ! -f ../../../../go ]; do sleep 0.02; done; fi; printf",
            StringComparison.Ordinal));
        using (var run = CliProcess.Start(_temp.Path, null, "run", "waybill.yaml", "--job-id", "j", "--jobs", "2"))
        {
            await WaitUntil(() => Runs().Contains("03_upper[alpha]") && Runs().Contains("03_upper[beta]") && Runs().Contains("02_split[gamma-one]")
                && File.Exists(Path.Combine(Job, "03_upper", "beta", "manifest.json")) && File.Exists(Path.Combine(Job, "03_upper", "alpha", "manifest.json")));
            run.Kill(); // SIGKILL: nothing is flushed
            await run.WaitForExitAsync();
        }
        JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "manifest.json"))); // still whole JSON after the kill
        File.Delete(_temp.Combine("runs.log"));
        File.WriteAllText(_temp.Combine("go"), "");

        var resumed = await CliProcess.RunAsync(_temp.Path, "resume", "j");

        Assert.True(resumed.ExitCode == 0, resumed.All);
        Assert.Equal(["02_split[gamma-one]", "03_upper[gamma-one]"], Runs().Order(StringComparer.Ordinal));
        Assert.Equal("ALPHABETAGAMMA ONE", File.ReadAllText(Path.Combine(Job, "04_gather", "all.txt")));
    }

    [Fact]
    public async Task Forcing_a_dynamic_fan_out_forces_the_items_it_finds()
    {
        Assert.Equal(0, (await Run()).ExitCode);
        File.Delete(_temp.Combine("runs.log"));

        var result = await Run("--force", "02_split");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(["02_split[alpha]", "02_split[beta]", "02_split[gamma-one]"], Runs().Where(r => r.StartsWith("02_", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Hostile_list_entries_are_refused_or_kept_apart_from_the_engines_files()
    {
        // A NUL byte cannot reach a command: the fan-out fails and says which item.
        _temp.Write("list.json", """["ok", "bad\u0000value"]""");
        var nul = await Run();
        Assert.Equal(1, nul.ExitCode);
        Assert.Contains(@"item 2 ('bad\u0000value') holds a NUL byte", (string?)Manifest("05_json")["status_reason"]);

        // A value over 64 KiB would not fit in the environment: refused with its size.
        _temp.Write("list.json", "[\"" + new string('x', 70_000) + "\"]");
        var big = await Run();
        Assert.Equal(1, big.ExitCode);
        Assert.Contains("item 1 is 70,000 bytes, more than 65,536", (string?)Manifest("05_json")["status_reason"]);

        // An item named like the fan-out's own records gets a folder of its own, and {config.x} in a value stays text.
        _temp.Write("list.json", """["manifest.json", "stage.log"]""");
        _temp.Write("list.txt", "a{config.secret}b\n");
        var named = await Run();
        Assert.True(named.ExitCode == 0, named.All);
        Assert.Equal("item-manifest.json=manifest.json", File.ReadAllText(Path.Combine(Job, "05_json", "item-manifest.json", "v.txt")));
        Assert.Equal("item-stage.log=stage.log", File.ReadAllText(Path.Combine(Job, "05_json", "item-stage.log", "v.txt")));
        Assert.Equal("success", (string?)Manifest("05_json")["status"]);
        Assert.Equal("a{config.secret}b", File.ReadAllText(Path.Combine(Job, "02_split", "a-config.secret-b", "part.txt")));
    }

    [Fact]
    public async Task An_item_restored_from_the_cache_keeps_its_item_in_the_manifest()
    {
        var cache = _temp.Combine("cache");
        Assert.Equal(0, (await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "first", "--cache", cache)).ExitCode);

        var second = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "second", "--cache", cache);

        Assert.True(second.ExitCode == 0, second.All);
        var restored = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "second", "03_upper", "beta", "manifest.json")))!;
        Assert.NotNull(restored["reused_from"]);
        Assert.Equal("beta", (string?)restored["item"]!["key"]);
        Assert.Contains("[stage.upper:beta]", File.ReadAllText(_temp.Combine("out", "second", "03_upper", "beta", "stage.log")));
    }

    private JsonNode Manifest(string folder) => JsonNode.Parse(File.ReadAllText(Path.Combine(Job, folder, "manifest.json")))!;

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!condition()) await Task.Delay(20, timeout.Token);
    }
}
