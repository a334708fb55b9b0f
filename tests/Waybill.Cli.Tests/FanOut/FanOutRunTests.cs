using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Core.Hashing;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.FanOut;

/// <summary>How item runs behave: per-item chains, failures kept to their item, gathers, per-item reruns and log lines.</summary>
public sealed class FanOutRunTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Job(params string[] parts) => _temp.Combine(["out", "j", .. parts]);

    private JsonNode Manifest(string stageFolder) => JsonNode.Parse(File.ReadAllText(Job(stageFolder, "manifest.json")))!;

    [Fact]
    public async Task An_items_chain_runs_as_soon_as_its_own_predecessor_finished_not_after_the_whole_stage()
    {
        // 01_first[b] waits for the file 02_second[a] writes. Were 02_second to wait for every item of 01_first, b would
        // wait in vain until its bounded loop gives up and fails: the run succeeds only if a's chain went on without b.
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_first
                foreach: { values: [a, b] }
                run: |
                  if [ {item.key} = b ]; then
                    i=0; while [ ! -e ../../02_second/a/y.txt ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
                    test -e ../../02_second/a/y.txt || exit 9
                  fi
                  echo {item.key} > {out.x}
                outputs: { x: x.txt }
              - id: 02_second
                inputs: { x: 01_first.x }
                run: cat {in.x} > {out.y}
                outputs: { y: y.txt }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "2");
        Assert.True(run.ExitCode == 0, run.All);
        var aStarted = Time(Manifest("02_second/a")["started_utc"]!);
        var bDone = Time(Manifest("01_first/b")["finished_utc"]!);
        Assert.True(aStarted <= bDone, $"02_second[a] started {aStarted:O}, after 01_first[b] finished {bDone:O}");
    }

    private static DateTimeOffset Time(JsonNode node) =>
        DateTimeOffset.Parse(node.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    private const string FailingItem = """
        stages:
          - id: 01_make
            foreach: { values: [good, bad, fine] }
            run: 'test {item.key} != bad || { echo "no good: {item.key}" >&2; exit 3; }; echo {item.value} > {out.x}'
            outputs: { x: x.txt }
          - id: 02_upper
            inputs: { x: 01_make.x }
            run: tr a-z A-Z < {in.x} > {out.y}
            outputs: { y: y.txt }
          - id: 03_all
            inputs: { all: GATHER }
            run: cat {in.all} > {out.z}
            outputs: { z: z.txt }
        """;

    [Fact]
    public async Task One_failing_item_fails_itself_and_its_chain_other_items_go_on_and_the_gather_is_skipped()
    {
        _temp.Write("waybill.yaml", FailingItem.Replace("GATHER", "02_upper.y[*]", StringComparison.Ordinal));
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "1");
        Assert.True(run.ExitCode == 1, run.All);
        var job = JsonNode.Parse(File.ReadAllText(Job("manifest.json")))!;
        var status = job["stages"]!.AsArray().ToDictionary(s => s!["stage_id"]!.GetValue<string>(), s => s!["status"]!.GetValue<string>());
        Assert.Equal("failed", status["01_make[bad]"]);
        Assert.Equal("skipped", status["02_upper[bad]"]);
        Assert.Equal("success", status["01_make[good]"]);
        Assert.Equal("success", status["02_upper[good]"]);
        Assert.Equal("success", status["02_upper[fine]"]);
        Assert.Equal("skipped", status["03_all"]);
        Assert.Equal("GOOD\n", File.ReadAllText(Job("02_upper", "good", "y.txt")));
    }

    [Fact]
    public async Task An_optional_gather_runs_with_the_items_that_succeeded_and_lists_the_others_as_absent()
    {
        _temp.Write("waybill.yaml", FailingItem.Replace("GATHER", "{ from: 02_upper.y[*], optional: true }", StringComparison.Ordinal));
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "1");
        Assert.True(run.ExitCode == 1, run.All); // 01_make[bad] is not optional: the job still failed
        Assert.Equal("GOOD\nFINE\n", File.ReadAllText(Job("03_all", "z.txt")));
        var gather = Manifest("03_all");
        Assert.Equal("success", gather["status"]!.GetValue<string>());
        var absent = gather["absent_inputs"]!.ToJsonString();
        Assert.Contains("all[bad]", absent);
        Assert.DoesNotContain("all[good]", absent);
    }

    [Fact]
    public async Task A_gather_manifest_lists_every_item_with_its_checksum_and_log_lines_name_the_item()
    {
        _temp.Write("videos/Episode 01.mkv", "one");
        _temp.Write("videos/Episode 02.mkv", "two!");
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_asr
                foreach: { files: "videos/*.mkv" }
                run: 'cat {item.path} > {out.seg}; echo "heard {item.key}"'
                outputs: { seg: seg.txt }
              - id: 02_all
                inputs: { all: 01_asr.seg[*] }
                run: cat {in.all} > {out.merged}
                outputs: { merged: merged.txt }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
        var inputs = Manifest("02_all")["inputs"]!.AsArray();
        foreach (var key in new[] { "episode-01", "episode-02" })
        {
            var input = inputs.Single(i => i!["name"]!.GetValue<string>() == $"all[{key}]")!;
            Assert.Equal($"01_asr/{key}/seg.txt", input["path"]!.GetValue<string>());
            Assert.Equal($"01_asr[{key}]", input["from_stage"]!.GetValue<string>());
            Assert.Equal(FileHasher.Compute(Job("01_asr", key, "seg.txt"), ChecksumAlgorithm.XxHash128), input["checksum"]!.GetValue<string>());
        }
        Assert.Contains("[stage.asr:episode-01] [DEBUG] stdout| heard episode-01", File.ReadAllText(Job("01_asr", "episode-01", "stage.log")));
        var pipelineLog = Directory.GetFiles(Job("logs"), "99_pipeline_*.log").Single();
        Assert.Contains("[pipeline] [INFO] ✓ Stage asr:episode-02: SUCCESS", File.ReadAllText(pipelineLog));
    }

    [Fact]
    public async Task Changing_one_input_file_reruns_only_that_items_chain_and_the_gather_and_explain_names_it()
    {
        foreach (var name in new[] { "a", "b", "c" }) _temp.Write($"in/{name}.txt", name);
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_copy
                foreach: { files: "in/*.txt" }
                run: cat {item.path} > {out.x}
                outputs: { x: x.txt }
              - id: 02_upper
                inputs: { x: 01_copy.x }
                run: tr a-z A-Z < {in.x} > {out.y}
                outputs: { y: y.txt }
              - id: 03_all
                inputs: { all: 02_upper.y[*] }
                run: cat {in.all} > {out.z}
                outputs: { z: z.txt }
            """);
        var first = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(first.ExitCode == 0, first.All);
        _temp.Write("in/b.txt", "bee");
        var again = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--explain");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Equal("ABEEC", File.ReadAllText(Job("03_all", "z.txt")).Replace("\n", "", StringComparison.Ordinal));
        var explained = again.Stdout[again.Stdout.IndexOf("Why each stage", StringComparison.Ordinal)..];
        Assert.Matches(@"01_copy\[b\]\s+ran: input .*/in/b\.txt changed", explained);
        Assert.Matches(@"02_upper\[b\]\s+ran: ", explained);
        Assert.Matches(@"03_all\s+ran: ", explained);
        foreach (var id in new[] { "01_copy[a]", "01_copy[c]", "02_upper[a]", "02_upper[c]" })
            Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(id)}\s+up to date", explained);
        var job = JsonNode.Parse(File.ReadAllText(Job("manifest.json")))!["stages"]!.AsArray();
        var status = job.ToDictionary(s => s!["stage_id"]!.GetValue<string>(), s => s!["status"]!.GetValue<string>());
        Assert.Equal(["skipped", "success", "skipped"], new[] { status["01_copy[a]"], status["01_copy[b]"], status["01_copy[c]"] });
    }
}
