using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Rerun;

/// <summary>
/// The engine writes its records only inside the job folder: a stage folder, logs/ or .waybill/ replaced by a symbolic link
/// that leads out of the job is refused before anything is written through it, and the folder it leads to is left as it was.
/// </summary>
public sealed class LinkedRecordFolderTests : IDisposable
{
    private const string Pipeline = """
        name: links
        config: { fail: 0 }
        stages:
          - id: 01_make
            run: 'echo made > {out.made}; exit {config.fail}'
            outputs: { made: made.txt }
          - id: 02_use
            inputs: { made: 01_make.made }
            run: 'cat {in.made} > {out.used}'
            outputs: { used: used.txt }
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Job => _temp.Combine("out", "j");

    private Task<CliProcess.Result> Cli(params string[] args) => CliProcess.RunAsync(_temp.Path, args);

    private Task<CliProcess.Result> Run(params string[] extra) => Cli(["run", "waybill.yaml", "--job-id", "j", "--jobs", "1", .. extra]);

    /// <summary>Moves a folder of the job out of it and leaves a link in its place; returns where it went.</summary>
    private string LinkOut(string relative)
    {
        var outside = _temp.Combine("elsewhere", relative.Replace('/', '_'));
        Directory.CreateDirectory(Path.GetDirectoryName(outside)!);
        Directory.Move(Path.Combine(Job, relative), outside);
        Directory.CreateSymbolicLink(Path.Combine(Job, relative), outside);
        return outside;
    }

    /// <summary>Every file under a folder with its bytes and modification time: equal before and after means nothing was written.</summary>
    private static Dictionary<string, (string Content, DateTime Modified)> Contents(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(folder, f),
            f => (Convert.ToBase64String(File.ReadAllBytes(f)), File.GetLastWriteTimeUtc(f)),
            StringComparer.Ordinal);

    private static void AssertUnchanged(Dictionary<string, (string, DateTime)> before, string folder)
    {
        var after = Contents(folder);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (file, was) in before) Assert.True(was == after[file], $"{file} outside the job was written");
    }

    private JsonNode JobStage(string stageId) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "manifest.json")))!["stages"]!.AsArray()
            .First(s => s!["stage_id"]!.GetValue<string>() == stageId)!;

    private string PipelineLog() =>
        File.ReadAllText(Directory.GetFiles(Path.Combine(Job, "logs"), "99_pipeline_*.log").Order(StringComparer.Ordinal).Last());

    [Fact]
    public async Task A_stage_folder_linked_out_of_the_job_fails_the_stage_and_nothing_is_written_through_it()
    {
        _temp.Write("waybill.yaml", Pipeline);
        Assert.Equal(0, (await Run()).ExitCode);
        var outside = LinkOut("01_make");
        var before = Contents(outside);

        // Up to date by the manifest behind the link, and forced: either way the stage is refused, not trusted or run.
        foreach (var extra in new[] { Array.Empty<string>(), ["--force", "all"] })
        {
            var rerun = await Run(extra);
            Assert.True(rerun.ExitCode == 1, rerun.All);
            AssertUnchanged(before, outside);
            var stage = JobStage("01_make");
            Assert.Equal("failed", stage["status"]!.GetValue<string>());
            var reason = stage["status_reason"]!.GetValue<string>();
            Assert.StartsWith("the stage folder 01_make of job j is a symbolic link to ", reason);
            Assert.Contains(outside, reason);
            Assert.Contains("outside the job folder", reason);
            Assert.Contains("replace the link with a real folder", reason);
            Assert.Equal(1, stage["error_count"]!.GetValue<int>());
            Assert.Contains($"Stage make: FAILED (0.0s): {reason}", PipelineLog());
            Assert.Contains(reason, File.ReadAllText(Path.Combine(Job, "logs", "events.jsonl")));
            Assert.Contains(reason, rerun.Stdout);
            Assert.Equal("skipped", JobStage("02_use")["status"]!.GetValue<string>());
        }

        // A single stage run by a scheduler is refused the same way.
        var single = await Cli("exec-stage", "j", "01_make");
        Assert.True(single.ExitCode == 1, single.All);
        Assert.Contains("the stage folder 01_make of job j is a symbolic link to", single.Stdout);
        AssertUnchanged(before, outside);

        // Once the folder is back, the job runs whole again.
        File.Delete(Path.Combine(Job, "01_make"));
        Directory.Move(outside, Path.Combine(Job, "01_make"));
        var back = await Run();
        Assert.True(back.ExitCode == 0, back.All);
        Assert.Equal(0, (await Cli("verify", "j")).ExitCode);
    }

    [Fact]
    public async Task A_stage_that_does_not_run_writes_nothing_into_its_folder_linked_out_of_the_job()
    {
        _temp.Write("waybill.yaml", Pipeline);
        Assert.Equal(0, (await Run()).ExitCode);
        var outside = LinkOut("02_use");
        var before = Contents(outside);

        var failing = await Run("--set", "fail=3");
        Assert.True(failing.ExitCode == 1, failing.All);
        AssertUnchanged(before, outside);
        var stage = JobStage("02_use");
        Assert.Equal("skipped", stage["status"]!.GetValue<string>());
        Assert.StartsWith("upstream failed: 01_make; the stage folder 02_use of job j is a symbolic link to ",
            stage["status_reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("logs")]
    [InlineData(".waybill")]
    public async Task A_run_folder_linked_out_of_the_job_refuses_every_command_that_writes_before_it_writes(string folder)
    {
        _temp.Write("waybill.yaml", Pipeline);
        Assert.Equal(0, (await Run()).ExitCode);
        var outside = LinkOut(folder);
        var before = Contents(outside);
        var jobManifest = File.ReadAllText(Path.Combine(Job, "manifest.json"));

        var commands = new[]
        {
            new[] { "run", "waybill.yaml", "--job-id", "j", "--force", "all" }, ["resume", "j"], ["exec-stage", "j", "01_make"],
            ["clean", "j", "--intermediates"],
        };
        foreach (var command in commands)
        {
            var refused = await Cli(command);
            Assert.True(refused.ExitCode is 2 or 3, $"{command[0]}: {refused.All}");
            Assert.Contains($"error: {folder}/ of job j is a symbolic link to {outside}, outside the job folder", refused.Stderr);
            Assert.Contains("replace the link with a real folder", refused.Stderr);
            AssertUnchanged(before, outside);
            Assert.Equal(jobManifest, File.ReadAllText(Path.Combine(Job, "manifest.json")));
        }
        Assert.Equal(3, (await Run()).ExitCode);
        ReliabilityFigures.Record($"Commands that refuse a job whose {folder}/ links out of it, writing nothing through the link",
            $"{commands.Length} of {commands.Length} ({string.Join(", ", commands.Select(c => c[0]))})");
    }
    [Theory]
    [InlineData("01_make")]
    [InlineData("logs")]
    [InlineData(".waybill")]
    public async Task Verify_reports_a_record_folder_linked_out_of_the_job_and_reads_nothing_behind_it(string folder)
    {
        _temp.Write("waybill.yaml", Pipeline);
        Assert.Equal(0, (await Run()).ExitCode);
        var outside = LinkOut(folder);

        var verify = await Cli("verify", "j", "--json");

        Assert.True(verify.ExitCode == 1, verify.All);
        var findings = JsonNode.Parse(verify.Stdout)!["findings"]!.AsArray().Select(f => f!).ToList();
        var linked = Assert.Single(findings, f => f["kind"]!.GetValue<string>() == "linked_out_of_job");
        Assert.Equal("error", linked["severity"]!.GetValue<string>());
        Assert.Equal(folder, linked["path"]!.GetValue<string>());
        Assert.Equal(outside, linked["actual"]!.GetValue<string>());
        Assert.Contains("replace the link with a real folder", linked["hint"]!.GetValue<string>());
        Assert.Equal(folder == "01_make" ? "01_make" : null, linked["stage"]?.GetValue<string>());
        // Nothing behind the link was read as the job's: no finding names a file there.
        Assert.DoesNotContain(findings, f => f["path"]?.GetValue<string>() is { } path && path.StartsWith(folder + "/", StringComparison.Ordinal));
        var text = await Cli("verify", "j");
        Assert.Contains($"is a symbolic link to {outside}, outside the job folder", text.Stdout);
    }

    [Fact]
    public async Task Status_does_not_show_the_manifest_behind_a_stage_folder_linked_out_of_the_job_as_the_stage_status()
    {
        _temp.Write("waybill.yaml", Pipeline);
        Assert.Equal(0, (await Run()).ExitCode);
        var outside = LinkOut("01_make");

        var status = await Cli("status", "j");

        Assert.True(status.ExitCode == 0, status.All);
        var line = Assert.Single(status.Stdout.Split('\n'), l => l.StartsWith("01_make", StringComparison.Ordinal));
        Assert.Contains("success (folder links out of the job: not read)", line);
        Assert.Contains($"01_make/ is a symbolic link to {outside}", line);
        var use = Assert.Single(status.Stdout.Split('\n'), l => l.StartsWith("02_use", StringComparison.Ordinal));
        Assert.DoesNotContain("not read", use);
    }
}
