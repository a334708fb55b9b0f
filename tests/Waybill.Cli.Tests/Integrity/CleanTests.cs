using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Core.Jobs;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Integrity;

/// <summary><c>waybill clean</c> on a real job: files deleted, tombstones left, verify still sound; nothing outside the job touched.</summary>
public sealed class CleanTests(CheckedJob fixture) : IClassFixture<CheckedJob>, IDisposable
{
    private const string Raw = "02_listen/.cache/command/audio.json";
    private readonly TempFolder _temp = new();
    private string? _job;

    private string Job => _job ??= fixture.CopyTo(_temp.Combine("out", "j"));

    public void Dispose() => _temp.Dispose();

    private Task<CliProcess.Result> Waybill(params string[] args) => CliProcess.RunAsync(_temp.Path, args);

    private string In(string relative) => Path.Combine(Job, relative);

    private JsonNode Manifest(string stageId) => JsonNode.Parse(File.ReadAllText(In($"{stageId}/manifest.json")))!;

    private JsonNode Record(string stageId, string list, string path) =>
        Manifest(stageId)[list]!.AsArray().Single(r => r!["path"]!.GetValue<string>() == path)!;

    [Fact]
    public async Task Intermediates_are_deleted_and_leave_tombstones_that_verify_accepts()
    {
        var before = Record("02_listen", "intermediate_files", Raw);
        var size = before["size_bytes"]!.GetValue<long>();
        var checksum = before["checksum"]!.GetValue<string>();

        var clean = await Waybill("clean", Job, "--intermediates");
        Assert.True(clean.ExitCode == 0, clean.All);
        Assert.Contains($"deleted {Raw} ({size:N0} bytes, {checksum})", clean.Stdout);
        Assert.Contains($"clean: 1 file deleted, {size:N0} bytes freed", clean.Stdout);
        Assert.False(File.Exists(In(Raw)));

        var after = Record("02_listen", "intermediate_files", Raw);
        Assert.Equal(checksum, after["checksum"]!.GetValue<string>());
        Assert.Equal(size, after["size_bytes"]!.GetValue<long>());
        Assert.Equal("waybill clean --intermediates", after["deleted_reason"]!.GetValue<string>());
        Assert.True(DateTimeOffset.UtcNow - after["deleted_at"]!.GetValue<DateTimeOffset>() < TimeSpan.FromMinutes(5));
        JobAssert.ManifestsAreValid(Job);

        var log = File.ReadAllText(In("logs/clean.log"));
        Assert.Matches($@"^\[\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ\] deleted {System.Text.RegularExpressions.Regex.Escape(Raw)} \({size} bytes, {checksum}\): waybill clean --intermediates\n$", log);

        var verify = await Waybill("verify", Job);
        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.Contains($"retained intermediate {Raw} deleted by clean at ", verify.Stdout);
        Assert.Contains($"(waybill clean --intermediates); hash was {checksum}", verify.Stdout);
        Assert.Contains("0 problems", verify.Stdout);

        var again = await Waybill("clean", Job, "--intermediates");
        Assert.Contains("clean: 0 files deleted", again.Stdout); // a tombstone is not deleted twice
    }

    [Fact]
    public async Task Outputs_of_a_stage_named_by_name_are_deleted_and_nothing_else()
    {
        var clean = await Waybill("clean", Job, "--outputs-of", "shout");
        Assert.True(clean.ExitCode == 0, clean.All);
        Assert.Contains("deleted 03_shout/loud.txt", clean.Stdout);
        Assert.False(File.Exists(In("03_shout/loud.txt")));
        Assert.True(File.Exists(In("01_make/text.txt")));
        Assert.True(File.Exists(In(Raw)));
        Assert.True(File.Exists(fixture.Source)); // the external input the job read is never the job's to delete
        Assert.Equal("waybill clean --outputs-of shout", Record("03_shout", "outputs", "03_shout/loud.txt")["deleted_reason"]!.GetValue<string>());

        var makeClean = await Waybill("clean", Job, "--outputs-of", "01_make");
        Assert.Equal(0, makeClean.ExitCode);
        Assert.True(File.Exists(fixture.Source));

        var verify = await Waybill("verify", Job);
        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.Contains("output 03_shout/loud.txt deleted by clean at", verify.Stdout);
        Assert.Contains("output 01_make/text.txt deleted by clean at", verify.Stdout);
    }

    [Fact]
    public async Task A_dry_run_prints_the_same_and_changes_nothing()
    {
        var manifest = File.ReadAllBytes(In("02_listen/manifest.json"));
        var job = File.ReadAllBytes(In("manifest.json"));
        var dry = await Waybill("clean", Job, "--intermediates", "--dry-run");
        Assert.True(dry.ExitCode == 0, dry.All);
        Assert.Contains($"would delete {Raw} (", dry.Stdout);
        Assert.Contains("clean (dry run): 1 file would be deleted", dry.Stdout);
        Assert.True(File.Exists(In(Raw)));
        Assert.Equal(manifest, File.ReadAllBytes(In("02_listen/manifest.json")));
        Assert.Equal(job, File.ReadAllBytes(In("manifest.json")));
        Assert.False(File.Exists(In("logs/clean.log")));
    }

    [Fact]
    public async Task A_file_already_gone_is_tombstoned_as_missing()
    {
        File.Delete(In("03_shout/loud.txt"));
        var clean = await Waybill("clean", Job, "--outputs-of", "03_shout");
        Assert.True(clean.ExitCode == 0, clean.All);
        Assert.Contains("deleted 03_shout/loud.txt (already missing)", clean.Stdout);
        Assert.Equal("waybill clean --outputs-of 03_shout (file was already missing)", Record("03_shout", "outputs", "03_shout/loud.txt")["deleted_reason"]!.GetValue<string>());
        Assert.Equal(0, (await Waybill("verify", Job)).ExitCode);
    }

    [Fact]
    public async Task A_recorded_path_that_leaves_the_job_is_refused_and_nothing_is_deleted()
    {
        var victim = _temp.Write("victim.txt", "not the job's");
        CheckedJob.EditManifest(Job, "03_shout", m => m["outputs"]![0]!["path"] = "../../victim.txt", reseal: true);
        var clean = await Waybill("clean", Job, "--outputs-of", "03_shout");
        Assert.Equal(2, clean.ExitCode);
        Assert.Contains("refusing to clean job j; nothing was deleted", clean.Stderr);
        Assert.Contains("03_shout: ../../victim.txt: its recorded path \"../../victim.txt\" leaves the job folder", clean.Stderr);
        Assert.True(File.Exists(victim));
        Assert.True(File.Exists(In("03_shout/loud.txt")));
    }

    [Fact]
    public async Task A_stage_whose_manifest_was_edited_is_not_resealed_by_clean()
    {
        CheckedJob.EditManifest(Job, "03_shout", m => m["host"] = "elsewhere");
        var clean = await Waybill("clean", Job, "--outputs-of", "03_shout");
        Assert.Equal(2, clean.ExitCode);
        Assert.Contains("03_shout: its manifest was changed after the run wrote it", clean.Stderr);
        Assert.True(File.Exists(In("03_shout/loud.txt")));
        Assert.Equal(1, (await Waybill("verify", Job)).ExitCode); // the edit is still caught
    }

    [Fact]
    public async Task A_symbolic_link_out_of_the_job_is_refused()
    {
        var outside = _temp.Combine("elsewhere");
        Directory.CreateDirectory(outside);
        var precious = _temp.Write("elsewhere/audio.json", "someone else's file");
        Directory.Delete(In("02_listen/.cache/command"), recursive: true);
        Directory.CreateSymbolicLink(In("02_listen/.cache/command"), outside);

        var clean = await Waybill("clean", Job, "--intermediates");
        Assert.Equal(2, clean.ExitCode);
        Assert.Contains($"it resolves through a symbolic link to {precious}, outside the job folder", clean.Stderr);
        Assert.True(File.Exists(precious));
    }

    [Fact]
    public async Task Clean_is_refused_while_a_run_holds_the_job()
    {
        using (RunLock.Acquire(new JobLayout(Job), "run", "019a0000-0000-7000-8000-000000000000"))
        {
            var clean = await Waybill("clean", Job, "--intermediates");
            Assert.Equal(4, clean.ExitCode);
            Assert.Contains($"job j is in use by waybill run (pid {Environment.ProcessId}", clean.Stderr);
            Assert.True(File.Exists(In(Raw)));
        }
        Assert.Equal(0, (await Waybill("clean", Job, "--intermediates")).ExitCode);
    }

    [Fact]
    public async Task Bad_arguments_are_refused_with_a_hint()
    {
        var neither = await Waybill("clean", Job);
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("--intermediates or --outputs-of", neither.Stderr);
        var both = await Waybill("clean", Job, "--intermediates", "--outputs-of", "shout");
        Assert.Equal(2, both.ExitCode);
        var unknown = await Waybill("clean", Job, "--outputs-of", "nosuch");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("job j has no stage 'nosuch'", unknown.Stderr);
        Assert.Contains("stages: 01_make, 02_listen, 03_shout", unknown.Stderr);
    }
}
