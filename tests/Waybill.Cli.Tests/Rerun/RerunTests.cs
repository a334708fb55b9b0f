using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Rerun;

/// <summary>Running a pipeline again on its job: only what changed runs, and every decision is explained in words.</summary>
public sealed class RerunTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly RerunJob _job;

    public RerunTests() => _job = new RerunJob(_temp);

    public void Dispose() => _temp.Dispose();

    private async Task FirstRunAsync()
    {
        _job.Create();
        var first = await _job.RunAsync();
        Assert.True(first.ExitCode == 0, first.All);
        Assert.Equal(["01_upper", "02_greet", "03_count", "04_side"], _job.Ran());
    }

    [Fact]
    public async Task A_second_run_with_nothing_changed_skips_every_stage_as_up_to_date()
    {
        await FirstRunAsync();
        var firstRunId = _job.Manifest("01_upper")["run_id"]!.GetValue<string>();
        var again = await _job.RunAsync("--explain");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Empty(_job.Ran());
        // The job manifest says what this run decided and which run checked; the stage manifest still names its producer.
        var secondRunId = JsonNode.Parse(File.ReadAllText(Path.Combine(_job.Job, "manifest.json")))!["run_id"]!.GetValue<string>();
        var entry = _job.JobStage("01_upper");
        Assert.Equal("skipped", entry["status"]!.GetValue<string>());
        Assert.Equal("up to date", entry["status_reason"]!.GetValue<string>());
        Assert.Equal(secondRunId, entry["checked_by_run"]!.GetValue<string>());
        Assert.NotEqual(firstRunId, secondRunId);
        var manifest = _job.Manifest("01_upper");
        Assert.Equal("success", manifest["status"]!.GetValue<string>());
        Assert.Equal(firstRunId, manifest["run_id"]!.GetValue<string>());
        Assert.Single(manifest["outputs"]!.AsArray()); // the outputs the producing run recorded stay described
        Assert.Contains("01_upper  up to date: definition, config, tools and inputs unchanged since run " + firstRunId, again.Stdout);
        Assert.Contains("4 skipped (4 up to date)", again.Stdout);
        JobAssert.ManifestsAreValid(_job.Job);

        // status shows what the last run decided; manifest names the run that checked beside the one that produced.
        var status = await CliProcess.RunAsync(_temp.Path, "status", "j");
        Assert.Matches(@"01_upper\s+skipped\s", status.Stdout);
        var shown = await CliProcess.RunAsync(_temp.Path, "manifest", "j", "01_upper");
        Assert.Contains($"run {firstRunId}", shown.Stdout);
        Assert.Contains($"found up to date by run {secondRunId}", shown.Stdout);
        var verify = await CliProcess.RunAsync(_temp.Path, "verify", "j");
        Assert.True(verify.ExitCode == 0, verify.All); // seals of manifests and logs still hold after runs that skipped everything
    }

    [Fact]
    public async Task A_rerun_with_nothing_changed_leaves_every_stage_manifest_and_stage_log_byte_for_byte()
    {
        await FirstRunAsync();
        string[] ids = ["01_upper", "02_greet", "03_count", "04_side"];
        var before = ids.ToDictionary(id => id, Records);

        var again = await _job.RunAsync();
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Contains("4 skipped (4 up to date)", again.Stdout);
        foreach (var id in ids)
        {
            var (manifest, log, manifestTime, logTime) = Records(id);
            Assert.Equal(before[id].Manifest, manifest);
            Assert.Equal(before[id].Log, log);
            Assert.Equal(before[id].ManifestTime, manifestTime); // not even rewritten with the same bytes
            Assert.Equal(before[id].LogTime, logTime);
        }

        (byte[] Manifest, byte[] Log, DateTime ManifestTime, DateTime LogTime) Records(string id)
        {
            var manifest = Path.Combine(_job.Job, id, "manifest.json");
            var log = Path.Combine(_job.Job, id, "stage.log");
            return (File.ReadAllBytes(manifest), File.ReadAllBytes(log), File.GetLastWriteTimeUtc(manifest), File.GetLastWriteTimeUtc(log));
        }
    }

    [Fact]
    public async Task A_changed_config_value_reruns_its_stages_and_says_old_and_new_value()
    {
        await FirstRunAsync();
        var run = await _job.RunAsync("--set", "greeting=bonjour", "--explain");
        Assert.True(run.ExitCode == 0, run.All);
        // Only 02 names {config.greeting}; 03 reruns because its input changed; 01 and 04 are untouched.
        Assert.Equal(["02_greet", "03_count"], _job.Ran());
        Assert.Contains("02_greet  ran: config.greeting changed: hello → bonjour", run.Stdout);
        Assert.Contains("03_count  ran: input 02_greet/greeted.txt changed (size 14 → 16 bytes)", run.Stdout);
        Assert.Equal("BONJOUR", File.ReadAllLines(Path.Combine(_job.Job, "02_greet", "greeted.txt"))[0].ToUpperInvariant());
        Assert.Equal("config.greeting changed: hello → bonjour", _job.Manifest("02_greet")["reasons"]![0]!.GetValue<string>());
        Assert.Equal("success", _job.Status("02_greet"));
    }

    [Fact]
    public async Task A_changed_input_file_reruns_the_stages_that_read_it_and_names_the_file()
    {
        await FirstRunAsync();
        _temp.Write("input.txt", "one\ntwo\nthree\n");
        var run = await _job.RunAsync("--explain");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(["01_upper", "02_greet", "03_count"], _job.Ran());
        Assert.Equal("skipped", _job.Status("04_side"));
        Assert.Matches(@"01_upper  ran: input .*input\.txt changed \(size 8 → 14 bytes\)", run.Stdout);
        Assert.Contains("02_greet  ran: input 01_upper/upper.txt changed", run.Stdout);
        Assert.Equal("4", File.ReadAllText(Path.Combine(_job.Job, "03_count", "count.txt")).Trim());
    }

    [Fact]
    public async Task An_upstream_rerun_that_produces_the_same_bytes_leaves_downstream_up_to_date()
    {
        await FirstRunAsync();
        // Same content, new mtime: 01 must look again (hash) and finds nothing changed.
        _temp.Write("input.txt", "one\ntwo\n");
        File.SetLastWriteTimeUtc(_temp.Combine("input.txt"), DateTime.UtcNow.AddMinutes(1));
        var run = await _job.RunAsync("--force", "01_upper", "--explain");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(["01_upper"], _job.Ran());
        Assert.Contains("01_upper  ran: forced (--force 01_upper)", run.Stdout);
        Assert.Contains("02_greet  up to date", run.Stdout);
    }

    [Fact]
    public async Task A_new_tool_version_reruns_the_stage_that_declares_the_tool()
    {
        await FirstRunAsync();
        _job.SetToolVersion("2.0");
        var run = await _job.RunAsync("--explain");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("02_greet  ran: tool mytool 1.0 → 2.0", run.Stdout);
        Assert.Equal(["02_greet"], _job.Ran()); // same bytes out: 03 stays up to date
        Assert.Equal("mytool 2.0", _job.Manifest("02_greet")["tool_versions"]!["mytool"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_or_edited_output_reruns_its_stage()
    {
        await FirstRunAsync();
        File.Delete(Path.Combine(_job.Job, "04_side", "side.txt"));
        File.WriteAllText(Path.Combine(_job.Job, "01_upper", "upper.txt"), "EDITED\n");
        var run = await _job.RunAsync("--explain");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("04_side  ran: output 04_side/side.txt missing", run.Stdout);
        Assert.Contains("01_upper  ran: output 01_upper/upper.txt changed since it was produced", run.Stdout);
        Assert.Equal("ONE\nTWO\n", File.ReadAllText(Path.Combine(_job.Job, "01_upper", "upper.txt")));
        Assert.Equal("side\n", File.ReadAllText(Path.Combine(_job.Job, "04_side", "side.txt")));
    }

    [Fact]
    public async Task A_failed_stage_runs_again_and_only_it_and_what_it_blocked()
    {
        _job.Create();
        _temp.Write("bin/mytool", "#!/bin/sh\n[ \"$1\" = --version ] && echo 'mytool 1.0' && exit 0\nexit 5\n");
        var failed = await _job.RunAsync();
        Assert.Equal(1, failed.ExitCode);
        Assert.Equal("failed", _job.Status("02_greet"));
        Assert.Equal("skipped", _job.Status("03_count"));

        _job.SetToolVersion("1.0");
        var resumed = await CliProcess.RunAsync(_temp.Path, _job.Environment, "resume", "j", "--explain");
        Assert.True(resumed.ExitCode == 0, resumed.All);
        Assert.Contains("last run", resumed.Stdout);
        Assert.Contains("02_greet  ran: previous attempt failed (command exited with code 5", resumed.Stdout);
        Assert.Contains("03_count  ran: previous attempt did not run (upstream failed: 02_greet)", resumed.Stdout);
        Assert.Contains("01_upper  up to date", resumed.Stdout);
        Assert.Contains("04_side  ran: previous attempt did not run (not run: 02_greet failed", resumed.Stdout); // the failure stopped the run before it
        Assert.Equal(["02_greet", "03_count", "04_side"], _job.Ran());
        Assert.Equal(2, _job.Manifest("02_greet")["attempt"]!.GetValue<int>());
    }

    [Fact]
    public async Task From_reruns_a_stage_and_everything_downstream_and_until_leaves_the_rest_alone()
    {
        await FirstRunAsync();
        var from = await _job.RunAsync("--from", "greet", "--explain");
        Assert.True(from.ExitCode == 0, from.All);
        Assert.Equal(["02_greet", "03_count"], _job.Ran());
        Assert.Contains("03_count  ran: forced (downstream of --from 02_greet)", from.Stdout);

        var sideManifest = File.ReadAllText(Path.Combine(_job.Job, "04_side", "manifest.json"));
        var until = await _job.RunAsync("--until", "02_greet", "--force", "all");
        Assert.True(until.ExitCode == 0, until.All);
        Assert.Equal(sideManifest, File.ReadAllText(Path.Combine(_job.Job, "04_side", "manifest.json")));
        Assert.Equal("success", _job.Status("01_upper"));
        JobAssert.ManifestsAreValid(_job.Job);
    }

    [Fact]
    public async Task A_dry_run_on_the_job_explains_each_stage_and_writes_nothing()
    {
        await FirstRunAsync();
        _temp.Write("input.txt", "changed\n");
        var before = Snapshot();
        var dry = await CliProcess.RunAsync(_temp.Path, _job.Environment, "run", "waybill.yaml", "--job-id", "j", "--dry-run", "--set", "greeting=hi");
        Assert.True(dry.ExitCode == 0, dry.All);
        Assert.Contains("3 of 4 stages would run", dry.Stdout);
        Assert.Matches(@"1/4 01_upper  would run: input .*input\.txt changed", dry.Stdout);
        Assert.Contains("2/4 02_greet  would run: config.greeting changed: hello → hi", dry.Stdout);
        Assert.Contains("01_upper runs first; its outputs may change", dry.Stdout);
        Assert.Contains("3/4 03_count  would run: 02_greet runs first; its outputs may change", dry.Stdout);
        Assert.Contains("4/4 04_side  up to date", dry.Stdout);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task An_unknown_stage_name_in_force_is_bad_input()
    {
        await FirstRunAsync();
        var run = await _job.RunAsync("--force", "nope");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--force nope: the pipeline has no such stage", run.Stderr);
        Assert.Contains("01_upper", run.Stderr);
    }

    [Fact]
    public async Task A_job_folder_moved_elsewhere_is_still_up_to_date()
    {
        await FirstRunAsync();
        Directory.Move(_temp.Combine("out"), _temp.Combine("moved"));
        var run = await CliProcess.RunAsync(_temp.Path, _job.Environment, "run", "waybill.yaml", "--job-id", "j", "--out", "moved", "--explain");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("4 skipped (4 up to date)", run.Stdout);
    }

    [Fact]
    public async Task A_damaged_stage_manifest_makes_its_stage_run_again_and_is_rewritten()
    {
        await FirstRunAsync();
        var path = Path.Combine(_job.Job, "03_count", "manifest.json");
        File.WriteAllText(path, File.ReadAllText(path)[..40]);
        var run = await _job.RunAsync("--explain");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Matches(@"03_count  ran: previous manifest unreadable \(.*03_count/manifest\.json: not a valid manifest at line \d+", run.Stdout);
        Assert.Equal(["03_count"], _job.Ran());
        JobAssert.ManifestsAreValid(_job.Job);
    }

    [Fact]
    public async Task A_job_written_by_a_newer_version_is_refused_and_left_untouched()
    {
        await FirstRunAsync();
        var path = Path.Combine(_job.Job, "manifest.json");
        var newer = File.ReadAllText(path).Replace("\"schema_version\": \"1.1\"", "\"schema_version\": \"2.0\"", StringComparison.Ordinal);
        File.WriteAllText(path, newer);
        var before = Snapshot();
        var run = await _job.RunAsync();
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("field schema_version is \"2.0\": written by a newer Waybill; this one reads 1.x. Upgrade waybill to read this job.", run.Stderr);
        Assert.Equal(before, Snapshot());
    }

    private string Snapshot() => string.Join("\n", Directory.GetFiles(_job.Job, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
        .Select(f => f + " " + File.GetLastWriteTimeUtc(f).Ticks + " " + new FileInfo(f).Length));
}
