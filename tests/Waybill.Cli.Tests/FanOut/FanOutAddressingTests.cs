using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.FanOut;

/// <summary>
/// Commands that name a stage take an item as <c>stage[key]</c> (by id or name), and a fan-out stage's plain id or name
/// for all its items; a job of 100 items stays readable. One job serves every test: it runs once per test class.
/// </summary>
public sealed class FanOutAddressingTests : IClassFixture<FanOutAddressingTests.HundredItems>
{
    /// <summary>100 items (i001 … i100) of 01_a, then one gather; i042 fails while the file fail-i042 exists.</summary>
    public sealed class HundredItems : IAsyncLifetime
    {
        public TempFolder Temp { get; } = new();

        public CliProcess.Result FirstRun { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var values = string.Join(", ", Enumerable.Range(1, 100).Select(i => $"i{i:000}"));
            Temp.Write("waybill.yaml", $$"""
                stages:
                  - id: 01_a
                    foreach: { values: [{{values}}] }
                    run: 'test ! -e ../../../../fail-{item.key} || exit 4; echo {item.value} > {out.x}'
                    outputs: { x: x.txt }
                  - id: 02_all
                    inputs: { all: 01_a.x[*] }
                    run: cat {in.all} > {out.y}
                    outputs: { y: y.txt }
                """);
            Temp.Write("fail-i042", "");
            FirstRun = await CliProcess.RunAsync(Temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "2");
        }

        public ValueTask DisposeAsync()
        {
            Temp.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private readonly HundredItems _job;

    public FanOutAddressingTests(HundredItems job) => _job = job;

    private Task<CliProcess.Result> Cli(params string[] args) => CliProcess.RunAsync(_job.Temp.Path, args);

    [Fact]
    public void The_run_summary_shows_100_items_as_one_row_with_counts_and_the_failed_item()
    {
        var run = _job.FirstRun;
        Assert.True(run.ExitCode == 1, run.All);
        var table = run.Stdout[run.Stdout.IndexOf("STAGE ", StringComparison.Ordinal)..].Split('\n');
        Assert.Matches(@"^01_a\[\*\]\s+failed\s+.*\s99\s+0\s+1\s+100 items: 99 success, 1 failed$", table[1]);
        Assert.Matches(@"^  01_a\[i042\]\s+failed\s.*command exited with code 4", table[2]);
        Assert.Matches(@"^02_all\s+skipped\s.*upstream failed: 01_a\[i042\]", table[3]);
        Assert.StartsWith("Items:        01_a shown as one row each; 'waybill status j 01_a' lists its items", table[4]);
    }

    [Fact]
    public async Task Status_lists_every_item_of_a_stage_named_by_id_or_name_and_one_item_by_key()
    {
        var all = await Cli("status", "j", "--items");
        Assert.Equal(100, all.Stdout.Split('\n').Count(l => l.StartsWith("01_a[i", StringComparison.Ordinal)));
        var byName = await Cli("status", "j", "a");
        Assert.True(byName.ExitCode == 0, byName.All);
        Assert.Equal(100, byName.Stdout.Split('\n').Count(l => l.StartsWith("01_a[i", StringComparison.Ordinal)));
        Assert.DoesNotContain("02_all", byName.Stdout);
        var one = await Cli("status", "j", "a[i042]");
        Assert.Matches(@"\n01_a\[i042\]\s+failed", one.Stdout);
        Assert.DoesNotContain("01_a[i041]", one.Stdout);
        var json = await Cli("status", "j", "01_a[i007]", "--json");
        var stages = JsonNode.Parse(json.Stdout)!["stages"]!.AsArray();
        Assert.Equal("01_a[i007]", Assert.Single(stages)!["stage_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_key_is_refused_with_keys_the_stage_has()
    {
        foreach (var command in new[] { new[] { "status", "j", "a[i999]" }, ["logs", "j", "01_a[i999]"], ["manifest", "j", "a[i999]"],
                     ["lineage", "j", "a[i999]"], ["verify", "j", "--stage", "a[i999]"], ["clean", "j", "--outputs-of", "a[i999]", "-n"] })
        {
            var result = await Cli(command);
            Assert.True(result.ExitCode == 2, string.Join(' ', command) + ": " + result.All);
            Assert.Contains("01_a has no item 'i999'", result.Stderr);
            Assert.Contains("hint: 01_a has 100 items: i001, i002,", result.Stderr);
        }
        var bad = await Cli("logs", "j", "a[I 1]");
        Assert.Contains("'I 1' is not a valid item key", bad.Stderr);
        var plain = await Cli("logs", "j", "all[x]");
        Assert.Contains("02_all does not run per item, so it has no item 'x'", plain.Stderr);
    }

    [Fact]
    public async Task Logs_of_an_item_are_its_stage_log_and_of_a_fan_out_stage_every_items_in_turn()
    {
        var one = await Cli("logs", "j", "a[i007]");
        Assert.True(one.ExitCode == 0, one.All);
        Assert.Contains("[stage.a:i007] [DEBUG] stage 01_a[i007] attempt 1", one.Stdout);
        Assert.DoesNotContain("i008", one.Stdout);
        var all = await Cli("logs", "j", "01_a", "--level", "ERROR");
        Assert.Equal(100, all.Stdout.Split('\n').Count(l => l.StartsWith("==> 01_a/i", StringComparison.Ordinal)));
        Assert.Contains("[stage.a:i042] [ERROR]", all.Stdout);
        var follow = await Cli("logs", "j", "01_a", "--follow");
        Assert.Equal(2, follow.ExitCode);
        Assert.Contains("--follow follows one log, and 01_a stands for 100 items", follow.Stderr);
    }

    [Fact]
    public async Task Manifest_shows_one_item_or_a_line_per_item_and_its_json_is_one_array()
    {
        var one = await Cli("manifest", "j", "a[i042]");
        Assert.Contains("Stage 01_a[i042] (command) — FAILED", one.Stdout);
        Assert.Contains("  item i042: i042", one.Stdout);
        var lines = await Cli("manifest", "j", "a");
        Assert.StartsWith("100 items; 'waybill manifest JOB 01_a[i001]' shows one in full", lines.Stdout);
        Assert.Matches(@"\n  01_a\[i042\]\s+failed", lines.Stdout);
        var json = await Cli("manifest", "j", "01_a", "--json");
        var array = JsonNode.Parse(json.Stdout)!.AsArray();
        Assert.Equal(100, array.Count);
        Assert.Equal("i100", array[99]!["item"]!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task Lineage_of_an_item_is_its_own_chain_and_of_a_fan_out_stage_all_items()
    {
        var one = await Cli("lineage", "j", "a[i007]");
        Assert.True(one.ExitCode == 0, one.All);
        Assert.Contains("01_a[i007]", one.Stdout);
        Assert.Contains("01_a/i007/x.txt", one.Stdout);
        Assert.DoesNotContain("01_a[i008]", one.Stdout);
        var all = await Cli("lineage", "j", "01_a", "--downstream", "--depth", "0");
        Assert.True(all.ExitCode == 0, all.All);
        Assert.Contains("01_a/i001/x.txt", all.Stdout);
        Assert.Contains("01_a/i100/x.txt", all.Stdout);
    }

    [Fact]
    public async Task Verify_finds_the_items_of_a_fan_out_and_reports_one_item_on_its_own()
    {
        var verify = await Cli("verify", "j");
        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.DoesNotContain("missing", verify.Stdout);
        var item = await Cli("verify", "j", "--stage", "a[i007]", "--json");
        Assert.True(item.ExitCode == 0, item.All);
    }

    [Fact]
    public async Task Clean_outputs_of_an_item_or_of_every_item()
    {
        var one = await Cli("clean", "j", "--outputs-of", "a[i007]", "--dry-run");
        Assert.True(one.ExitCode == 0, one.All);
        Assert.Contains("would delete 01_a/i007/x.txt", one.Stdout);
        Assert.Contains("1 file would be deleted", one.Stdout);
        var all = await Cli("clean", "j", "--outputs-of", "01_a", "--dry-run");
        Assert.True(all.ExitCode == 0, all.All);
        Assert.Contains("99 files would be deleted", all.Stdout); // i042 failed: it has none
    }

    [Fact]
    public async Task Run_selection_takes_items_and_fan_out_stages_and_names_unknown_keys()
    {
        var until = await Cli("run", "waybill.yaml", "--job-id", "j", "--until", "a[i005]", "--dry-run");
        Assert.True(until.ExitCode == 0, until.All);
        var force = await Cli("run", "waybill.yaml", "--job-id", "j", "--force", "zz[i001]");
        Assert.Equal(2, force.ExitCode);
        Assert.Contains("--force zz[i001]: the pipeline has no such stage", force.Stderr);
        var unknown = await Cli("run", "waybill.yaml", "--job-id", "j", "--from", "a[i999]");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("a[i999]: 01_a has no item 'i999'", unknown.Stderr);
    }
}

/// <summary>A fan-out job changed by resume and run selection: each test has its own job.</summary>
public sealed class FanOutSelectionTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Pipeline = """
        stages:
          - id: 01_a
            foreach: { values: [i1, i2, i3, i4] }
            run: 'test ! -e ../../../../fail-{item.key} || exit 4; echo {item.value} > {out.x}'
            outputs: { x: x.txt }
          - id: 02_b
            inputs: { x: 01_a.x }
            run: cat {in.x} {in.x} > {out.y}
            outputs: { y: y.txt }
          - id: 03_all
            inputs: { all: 02_b.y[*] }
            run: cat {in.all} > {out.z}
            outputs: { z: z.txt }
        """;

    private static Dictionary<string, string> Statuses(string job) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(job, "manifest.json")))!["stages"]!.AsArray()
            .ToDictionary(s => s!["stage_id"]!.GetValue<string>(), s => s!["status"]!.GetValue<string>());

    [Fact]
    public async Task Resume_after_a_failed_item_runs_that_items_chain_and_the_gather_only()
    {
        _temp.Write("waybill.yaml", Pipeline);
        _temp.Write("fail-i3", "");
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.Equal(1, run.ExitCode);
        File.Delete(_temp.Combine("fail-i3"));
        var resume = await CliProcess.RunAsync(_temp.Path, "resume", "j", "--explain");
        Assert.True(resume.ExitCode == 0, resume.All);
        var status = Statuses(_temp.Combine("out", "j"));
        Assert.Equal("success", status["01_a[i3]"]);
        Assert.Equal("success", status["02_b[i3]"]);
        Assert.Equal("success", status["03_all"]);
        foreach (var id in new[] { "01_a[i1]", "01_a[i2]", "01_a[i4]", "02_b[i1]", "02_b[i4]" }) Assert.Equal("skipped", status[id]);
    }

    [Fact]
    public async Task Force_an_item_reruns_it_and_from_a_fan_out_stage_reruns_every_item_and_what_follows()
    {
        _temp.Write("waybill.yaml", Pipeline);
        Assert.Equal(0, (await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j")).ExitCode);
        var force = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--force", "a[i2]", "--explain");
        Assert.True(force.ExitCode == 0, force.All);
        Assert.Matches(@"01_a\[i2\]\s+ran: forced \(--force 01_a\[i2\]\)", force.Stdout);
        var status = Statuses(_temp.Combine("out", "j"));
        Assert.Equal(("success", "skipped", "skipped"), (status["01_a[i2]"], status["01_a[i1]"], status["02_b[i2]"])); // same bytes: up to date

        var from = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--from", "02_b", "--explain");
        Assert.True(from.ExitCode == 0, from.All);
        Assert.Matches(@"02_b\[i4\]\s+ran: forced \(--from 02_b\[\*\]\)", from.Stdout);
        Assert.Matches(@"03_all\s+ran: forced \(downstream of --from 02_b\[\*\]\)", from.Stdout);
        Assert.Matches(@"01_a\[i1\]\s+up to date", from.Stdout);

        var until = await CliProcess.RunAsync(_temp.Path, "resume", "j", "--until", "b[i1]", "--force", "all");
        Assert.True(until.ExitCode == 0, until.All);
        var log = Directory.GetFiles(_temp.Combine("out", "j", "logs"), "99_pipeline_*.log").Max()!;
        Assert.Contains("Selected: --until 02_b[i1]: 2 of 9 stages", File.ReadAllText(log));
    }

    [Fact]
    public async Task A_dynamic_fan_out_is_addressed_by_its_own_run_and_its_items_and_an_item_can_be_forced_before_it_is_known()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_list
                run: printf 'Alpha\nBeta Two\n' > {out.items}
                outputs: { items: items.txt }
              - id: 02_each
                foreach: { lines: 01_list.items }
                run: echo {item.value} > {out.x}
                outputs: { x: x.txt }
            """);
        Assert.Equal(0, (await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j")).ExitCode);
        var status = await CliProcess.RunAsync(_temp.Path, "status", "j", "02_each");
        Assert.Matches(@"\n02_each\s+success.*fanned out into 2 items", status.Stdout);
        Assert.Matches(@"\n02_each\[alpha\]\s+success", status.Stdout);
        Assert.Matches(@"\n02_each\[beta-two\]\s+success", status.Stdout);
        var force = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--force", "each[beta-two]", "--explain");
        Assert.True(force.ExitCode == 0, force.All);
        Assert.Matches(@"02_each\[beta-two\]\s+ran: forced \(--force 02_each\[beta-two\]\)", force.Stdout);
        Assert.Matches(@"02_each\[alpha\]\s+up to date", force.Stdout);
        var until = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--until", "each[alpha]");
        Assert.Equal(2, until.ExitCode);
        Assert.Contains("the items of this fan-out are known only once it has read its list", until.Stderr);
    }
}
