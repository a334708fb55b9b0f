using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Records;

/// <summary>
/// The job-level files are sealed like the stage manifests: verify reports an edited job manifest, metadata.json,
/// pipeline snapshot or a broken events.jsonl line, and resume and exec-stage refuse an edited snapshot. A run writes
/// metadata.json, then the snapshot (pipeline.yaml, then run.json), then its job manifest: a kill between two of these
/// writes leaves a job that resume, run and verify still read for what it is.
/// </summary>
public sealed class JobFileSealTests : IDisposable
{
    private const string Pipeline = """
        name: sealed
        stages:
          - id: 01_a
            run: echo a > {out.o}
            outputs: { o: a.txt }
          - id: 02_b
            inputs: { i: 01_a.o }
            run: cat {in.i} > {out.o}
            outputs: { o: b.txt }
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Job(params string[] parts) => _temp.Combine(["out", "j", .. parts]);

    private async Task RunJob()
    {
        _temp.Write("waybill.yaml", Pipeline);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
        var clean = await CliProcess.RunAsync(_temp.Path, "verify", "j");
        Assert.True(clean.ExitCode == 0, clean.All);
    }

    private async Task<CliProcess.Result> Verify()
    {
        var verify = await CliProcess.RunAsync(_temp.Path, "verify", "j", "--json");
        Assert.True(verify.ExitCode == 1, verify.All);
        return verify;
    }

    private static IEnumerable<JsonNode> Findings(CliProcess.Result verify) => JsonNode.Parse(verify.Stdout)!["findings"]!.AsArray()!.Select(f => f!);

    [Fact]
    public async Task An_edited_snapshot_is_reported_and_resume_and_exec_stage_refuse_to_run_it()
    {
        await RunJob();
        var snapshot = Job(".waybill", "pipeline.yaml");
        File.WriteAllText(snapshot, File.ReadAllText(snapshot).Replace("echo a >", "echo edited >", StringComparison.Ordinal));

        var finding = Assert.Single(Findings(await Verify()), f => f["kind"]!.GetValue<string>() == "job_file_changed");
        Assert.Equal(".waybill/pipeline.yaml", finding["path"]!.GetValue<string>());

        foreach (var command in new[] { new[] { "exec-stage", "j", "01_a" }, ["resume", "j", "--force", "01_a"] })
        {
            var refused = await CliProcess.RunAsync(_temp.Path, command);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains($"the pipeline snapshot {snapshot} was changed after the run wrote it", refused.Stderr);
            Assert.Contains("run the pipeline file again with 'waybill run <pipeline> --job-id j'", refused.Stderr);
        }
        Assert.Equal("a\n", File.ReadAllText(Job("01_a", "a.txt"))); // the edited command never ran
    }

    [Fact]
    public async Task An_edited_job_manifest_and_metadata_are_reported()
    {
        await RunJob();
        var manifest = Job("manifest.json");
        File.WriteAllText(manifest,
            File.ReadAllText(manifest).Replace("\"pipeline\": \"sealed\"", "\"pipeline\": \"renamed\"", StringComparison.Ordinal));
        var metadata = Job("metadata.json");
        File.WriteAllText(metadata,
            File.ReadAllText(metadata).Replace("\"pipeline\": \"sealed\"", "\"pipeline\": \"other\"", StringComparison.Ordinal));

        var findings = Findings(await Verify()).ToList();

        Assert.Contains(findings, f => f["kind"]!.GetValue<string>() == "manifest_changed" && f["path"]!.GetValue<string>() == "manifest.json");
        Assert.Contains(findings, f => f["kind"]!.GetValue<string>() == "job_file_changed" && f["path"]!.GetValue<string>() == "metadata.json");
        var clean = await CliProcess.RunAsync(_temp.Path, "clean", "j", "--outputs-of", "02_b");
        Assert.Equal(2, clean.ExitCode);
        Assert.Contains("manifest.json was changed after the run wrote it", clean.Stderr);
    }

    [Fact]
    public async Task Exec_stage_refuses_an_edited_job_manifest_instead_of_sealing_the_edit()
    {
        await RunJob();
        var manifest = Job("manifest.json");
        File.WriteAllText(manifest,
            File.ReadAllText(manifest).Replace("\"pipeline\": \"sealed\"", "\"pipeline\": \"renamed\"", StringComparison.Ordinal));
        var edited = File.ReadAllText(manifest);

        var refused = await CliProcess.RunAsync(_temp.Path, "exec-stage", "j", "01_a");

        Assert.True(refused.ExitCode == 2, refused.All);
        Assert.Contains("manifest.json of job j was changed after the run wrote it", refused.Stderr);
        Assert.Equal(edited, File.ReadAllText(manifest));
        Assert.Contains(Findings(await Verify()), f => f["kind"]!.GetValue<string>() == "manifest_changed");
    }

    [Fact]
    public async Task Resume_refuses_a_job_whose_manifest_was_edited_since_its_seals_cannot_be_trusted()
    {
        await RunJob();
        var manifest = Job("manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"pipeline\": \"sealed\"", "\"pipeline\": \"renamed\"", StringComparison.Ordinal));
        var edited = File.ReadAllText(manifest);

        var refused = await CliProcess.RunAsync(_temp.Path, "resume", "j");

        Assert.True(refused.ExitCode == 2, refused.All);
        Assert.Contains("manifest.json of job j was changed after the run wrote it", refused.Stderr);
        Assert.Contains("cannot be trusted", refused.Stderr);
        Assert.Equal(edited, File.ReadAllText(manifest));
    }

    [Fact]
    public async Task A_cut_short_events_line_is_reported_with_its_line_number()
    {
        await RunJob();
        var events = Job("logs", "events.jsonl");
        var lines = File.ReadAllLines(events);
        // What a full disk or a killed writer leaves: the last line without its end; the seal is left alone on purpose.
        File.WriteAllText(events, string.Join("\n", lines[..^1]) + "\n" + lines[^1][..(lines[^1].Length / 2)]);

        var findings = Findings(await Verify()).ToList();

        var broken = Assert.Single(findings, f => f["kind"]!.GetValue<string>() == "events_line_broken");
        Assert.Equal($"logs/events.jsonl line {lines.Length} is cut short (the file ends inside it)", broken["message"]!.GetValue<string>());

        // The next run ends the broken line first, so its own lines stay whole and the broken one keeps its number.
        var rerun = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(rerun.ExitCode == 0, rerun.All);
        var after = Findings(await Verify()).Where(f => f["kind"]!.GetValue<string>() == "events_line_broken").ToList();
        Assert.Equal($"logs/events.jsonl line {lines.Length} is not one JSON object", Assert.Single(after)["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Two_runs_started_in_the_same_second_write_two_pipeline_logs()
    {
        await RunJob();
        // Another run's logs for every second the next run may start in: it must write a log of its own beside them.
        var now = TimeProvider.System.GetLocalNow();
        var taken = Enumerable.Range(0, 60).Select(s => _temp.Write(
            $"out/j/logs/99_pipeline_{now.AddSeconds(s):yyyyMMdd_HHmmss}.log", "another run's line\n")).ToList();

        var rerun = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--force", "01_a");

        Assert.True(rerun.ExitCode == 0, rerun.All);
        Assert.All(taken, t => Assert.Equal("another run's line\n", File.ReadAllText(t)));
        var log = JsonNode.Parse(File.ReadAllText(Job("manifest.json")))!["pipeline_log"]!.GetValue<string>();
        Assert.Matches(@"^logs/99_pipeline_\d{8}_\d{6}_2\.log$", log);
        Assert.Contains("Pipeline sealed: SUCCESS", File.ReadAllText(Job(log)));
        Assert.Contains($"Pipeline log: {Path.Combine("out", "j", log)}", rerun.Stdout);
    }

    [Fact]
    public async Task A_snapshot_cut_short_before_its_run_record_is_named_incomplete_and_a_run_finishes_the_job()
    {
        await RunJob();
        File.Delete(Job(".waybill", "run.json")); // run.json is written last: a kill after pipeline.yaml leaves none

        var refused = await CliProcess.RunAsync(_temp.Path, "resume", "j");

        Assert.True(refused.ExitCode == 2, refused.All);
        Assert.Contains("the pipeline snapshot of job j is incomplete", refused.Stderr);
        Assert.Contains("its last run was stopped while writing it", refused.Stderr);
        Assert.Contains("run the pipeline file again with 'waybill run <pipeline> --job-id j'", refused.Stderr);
        await RunJob();
        var resumed = await CliProcess.RunAsync(_temp.Path, "resume", "j");
        Assert.True(resumed.ExitCode == 0, resumed.All);
    }

    /// <summary>
    /// The job as a second run (its first stage's command changed to <c>echo changed</c>) would have left it, killed after
    /// writing <paramref name="written"/>: those files the second run's, the rest the first run's. Returns the second run's id.
    /// </summary>
    private async Task<string> KillRerunAfter(params string[] written)
    {
        await RunJob();
        var before = _temp.Combine("before");
        foreach (var file in Directory.EnumerateFiles(Job(), "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(before, Path.GetRelativePath(Job(), file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        _temp.Write("waybill.yaml", Pipeline.Replace("echo a", "echo changed", StringComparison.Ordinal));
        var second = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(second.ExitCode == 0, second.All);
        foreach (var file in written) File.Copy(Job(file), Path.Combine(before, file), overwrite: true);
        Directory.Delete(Job(), recursive: true);
        Directory.Move(before, Job());
        return JsonNode.Parse(File.ReadAllText(Job("metadata.json")))!["last_run_id"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_rerun_killed_after_its_snapshot_and_before_its_job_manifest_is_reported_as_interrupted_and_resumes_its_snapshot()
    {
        var secondRun = await KillRerunAfter("metadata.json", ".waybill/pipeline.yaml", ".waybill/run.json");

        var findings = Findings(await Verify()).ToList();

        var interrupted = Assert.Single(findings, f => f["kind"]!.GetValue<string>() == "interrupted_run");
        Assert.Contains($"run {secondRun} was stopped before it wrote its job manifest", interrupted["message"]!.GetValue<string>());
        Assert.DoesNotContain(findings, f => f["kind"]!.GetValue<string>() is "job_file_changed" or "job_file_missing");
        Assert.Equal("a\n", File.ReadAllText(Job("02_b", "b.txt")));
        var resumed = await CliProcess.RunAsync(_temp.Path, "resume", "j");
        Assert.True(resumed.ExitCode == 0, resumed.All);
        Assert.Equal("changed\n", File.ReadAllText(Job("02_b", "b.txt"))); // the snapshot the killed run wrote is what ran
        var clean = await CliProcess.RunAsync(_temp.Path, "verify", "j");
        Assert.True(clean.ExitCode == 0, clean.All);
    }

    [Fact]
    public async Task A_rerun_killed_before_its_snapshot_leaves_the_snapshot_of_the_run_before_which_resume_runs_as_sealed()
    {
        var secondRun = await KillRerunAfter("metadata.json");

        var findings = Findings(await Verify()).ToList();

        var interrupted = Assert.Single(findings, f => f["kind"]!.GetValue<string>() == "interrupted_run");
        Assert.Contains($"run {secondRun} was stopped before it wrote its job manifest: metadata.json is its,",
            interrupted["message"]!.GetValue<string>());
        Assert.DoesNotContain(findings, f => f["kind"]!.GetValue<string>() is "job_file_changed" or "job_file_missing");
        var resumed = await CliProcess.RunAsync(_temp.Path, "resume", "j");
        Assert.True(resumed.ExitCode == 0, resumed.All);
        Assert.Equal("a\n", File.ReadAllText(Job("02_b", "b.txt"))); // the first run's snapshot, which the seals vouch for
    }

    [Fact]
    public async Task An_edited_snapshot_is_refused_even_where_metadata_names_another_run()
    {
        // The killed run's whole snapshot, then its pipeline.yaml edited: it no longer is the file its run.json recorded.
        await KillRerunAfter("metadata.json", ".waybill/pipeline.yaml", ".waybill/run.json");

        await AssertResumeRefusesSnapshotEdit("echo changed", "the pipeline snapshot {0} was changed after the run wrote it");
    }

    [Fact]
    public async Task Metadata_naming_another_run_does_not_let_an_edited_snapshot_run()
    {
        await RunJob();
        var metadata = Job("metadata.json");
        var node = JsonNode.Parse(File.ReadAllText(metadata))!;
        node["last_run_id"] = "0190aaaa-0000-7000-8000-000000000000";
        File.WriteAllText(metadata, node.ToJsonString());

        await AssertResumeRefusesSnapshotEdit("echo a", "the pipeline snapshot {0} was changed after the run wrote it");
    }

    [Fact]
    public async Task The_run_settings_of_a_killed_run_s_snapshot_are_vouched_for_like_its_pipeline()
    {
        await KillRerunAfter("metadata.json", ".waybill/pipeline.yaml", ".waybill/run.json");
        var run = Job(".waybill", "run.json");
        var node = JsonNode.Parse(File.ReadAllText(run))!;
        node["overrides"] = new JsonArray("extra=1"); // a --set the killed run never had
        File.WriteAllText(run, node.ToJsonString());

        var refused = await CliProcess.RunAsync(_temp.Path, "resume", "j");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("was changed after the run wrote it", refused.Stderr);
    }

    [Fact]
    public async Task Without_a_job_manifest_the_snapshot_s_own_checksum_refuses_an_edit()
    {
        await RunJob();
        File.Delete(Job("manifest.json")); // a first run killed before it wrote its job manifest

        await AssertResumeRefusesSnapshotEdit("echo a",
            "the pipeline snapshot {0} was changed after the run wrote it (it is not what its run.json recorded)");
    }

    /// <summary>
    /// Edits the snapshot's first command (<paramref name="command"/> becomes <c>echo edited</c>); resume must refuse with
    /// <paramref name="message"/> (<c>{0}</c>: the snapshot's path) and the edited command must never run.
    /// </summary>
    private async Task AssertResumeRefusesSnapshotEdit(string command, string message)
    {
        var snapshot = Job(".waybill", "pipeline.yaml");
        File.WriteAllText(snapshot, File.ReadAllText(snapshot).Replace(command + " >", "echo edited >", StringComparison.Ordinal));

        var refused = await CliProcess.RunAsync(_temp.Path, "resume", "j");

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, snapshot), refused.Stderr);
        Assert.DoesNotContain("edited", File.ReadAllText(Job("01_a", "a.txt")));
    }

    [Fact]
    public async Task A_rerun_killed_while_writing_its_snapshot_is_one_finding_that_names_the_incomplete_snapshot()
    {
        await KillRerunAfter("metadata.json");
        File.Delete(Job(".waybill", "run.json"));

        var findings = Findings(await Verify()).ToList();

        var interrupted = Assert.Single(findings, f => f["kind"]!.GetValue<string>() == "interrupted_run");
        Assert.Contains("its pipeline snapshot is incomplete", interrupted["message"]!.GetValue<string>());
        Assert.DoesNotContain(findings, f => f["kind"]!.GetValue<string>() is "job_file_changed" or "job_file_missing");
    }

    [Fact]
    public async Task A_metadata_file_with_a_key_twice_is_rewritten_by_the_next_run_not_a_crash()
    {
        await RunJob();
        var metadata = Job("metadata.json");
        File.WriteAllText(metadata, File.ReadAllText(metadata).Replace("{", "{\"last_run_id\": \"x\",", StringComparison.Ordinal));

        var findings = Findings(await Verify()).ToList(); // a changed metadata.json, read without a crash
        Assert.Contains(findings, f => f["kind"]!.GetValue<string>() == "job_file_changed");
        var rerun = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");

        Assert.True(rerun.ExitCode == 0, rerun.All);
        var clean = await CliProcess.RunAsync(_temp.Path, "verify", "j");
        Assert.True(clean.ExitCode == 0, clean.All);
    }
}
