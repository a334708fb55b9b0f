using System.Text;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Records;

/// <summary>
/// The job journal (<c>.waybill/journal.jsonl</c>): stage outcomes are appended one line each, manifest.json is written
/// whole only now and then, and every reader replays the journal, so a run killed between two writes loses nothing.
/// </summary>
public sealed class JobJournalTests : IDisposable
{
    private const int Quick = 20;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_killed_run_is_read_back_from_the_journal_and_resume_runs_only_what_it_left()
    {
        var gate = _temp.Combine("gate");
        _temp.Write("waybill.yaml", Pipeline(gate));
        // The last stage, once every quick stage has finished, sends SIGKILL to the run that started it (its parent):
        // nothing is flushed, no handler runs. The gate makes it do so only the first time.
        var killed = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "killed", "--jobs", "2");
        Assert.True(killed.ExitCode == 137 && File.Exists(gate), killed.All);
        var job = _temp.Combine("out", "killed");

        // manifest.json is whole JSON (what jq reads); it was last written before the quick stages ended.
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "manifest.json")))!;
        Assert.Equal("running", written["status"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(job, ".waybill", "journal.jsonl")));

        var status = await CliProcess.RunAsync(_temp.Path, "status", "killed", "--json");
        Assert.True(status.ExitCode == 0, status.All);
        var recovered = JsonNode.Parse(status.Stdout)!["stages"]!.AsArray();
        for (var i = 1; i <= Quick; i++)
        {
            var stage = recovered.Single(s => s!["stage_id"]!.GetValue<string>() == Id(i))!;
            Assert.Equal("success", stage["status"]!.GetValue<string>());
            Assert.StartsWith("xxh128:", stage["manifest_checksum"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        var waiting = recovered.Single(s => s!["stage_id"]!.GetValue<string>() == "90_wait")!;
        Assert.NotEqual("success", waiting["status"]!.GetValue<string>());

        var resume = await CliProcess.RunAsync(_temp.Path, "resume", "killed", "--jobs", "2");

        Assert.True(resume.ExitCode == 0, resume.All);
        Assert.Contains($"1 succeeded, 0 failed, {Quick} skipped ({Quick} up to date)", resume.All, StringComparison.Ordinal);
        var final = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "manifest.json")))!;
        Assert.Equal("success", final["status"]!.GetValue<string>());
        Assert.All(final["stages"]!.AsArray(), s => Assert.NotEqual("pending", s!["status"]!.GetValue<string>()));
        Assert.False(File.Exists(Path.Combine(job, ".waybill", "journal.jsonl")), "a finished run compacts its journal into manifest.json");
        var verify = await CliProcess.RunAsync(_temp.Path, "verify", "killed");
        Assert.True(verify.ExitCode == 0, verify.All);
    }

    [Fact]
    public async Task A_torn_last_line_and_lines_of_another_run_are_passed_over()
    {
        _temp.Write("waybill.yaml", Pipeline(gate: null));
        var first = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "torn");
        Assert.True(first.ExitCode == 0, first.All);
        var job = _temp.Combine("out", "torn");
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "manifest.json")))!;
        var runId = manifest["run_id"]!.GetValue<string>();
        // A line of another run, one this run wrote, and a last line a crash cut short.
        File.WriteAllText(Path.Combine(job, ".waybill", "journal.jsonl"),
            """{"v":1,"run_id":"someone-else","stage_id":"01_q01","status":"failed"}""" + "\n"
            + $$"""{"v":1,"run_id":"{{runId}}","stage_id":"02_q02","stage":"q02","status":"failed","status_reason":"from the journal"}""" + "\n"
            + $$"""{"v":1,"run_id":"{{runId}}","stage_id":"03_q""", new UTF8Encoding(false));

        var status = await CliProcess.RunAsync(_temp.Path, "status", "torn", "--json");

        Assert.True(status.ExitCode == 0, status.All);
        var stages = JsonNode.Parse(status.Stdout)!["stages"]!.AsArray();
        string StatusOf(string id) => stages.Single(s => s!["stage_id"]!.GetValue<string>() == id)!["status"]!.GetValue<string>();
        Assert.Equal("success", StatusOf(Id(1)));
        Assert.Equal("failed", StatusOf(Id(2)));
        Assert.Equal("success", StatusOf(Id(3)));
    }

    private static string Pipeline(string? gate)
    {
        var yaml = new StringBuilder("name: journal\nstages:\n");
        for (var i = 1; i <= Quick; i++) yaml.Append($"  - id: {Id(i)}\n    run: 'echo {i} > {{out.n}}'\n    outputs: {{ n: n.txt }}\n");
        // The nearest ancestor that is the CLI (waybill, or dotnet running waybill.dll) and not its process spawner (the
        // same program in its spawner mode, which starts the commands) is the run.
        const string KillRun = "p=$PPID; while [ $p -gt 1 ]; do case $(cat /proc/$p/comm) in waybill|dotnet) "
            + "tr \"\\0\" \" \" < /proc/$p/cmdline | grep -q __waybill-process-spawner || { kill -9 $p; break; };; esac; "
            + "p=$(cut -d\" \" -f4 /proc/$p/stat); done; sleep 1";
        var wait = gate is null ? "true" : $"if [ ! -e \"{gate}\" ]; then touch \"{gate}\"; {KillRun}; fi";
        yaml.Append($"  - id: 90_wait\n    after: [{string.Join(", ", Enumerable.Range(1, Quick).Select(Id))}]\n");
        yaml.Append($"    run: '{wait}; echo done > {{out.done}}'\n    outputs: {{ done: done.txt }}\n");
        return yaml.ToString();
    }

    private static string Id(int i) => $"{i:00}_q{i:00}";
}
