using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Waybill.Cli.Tests.Support;
using Waybill.Core.Hashing;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Integrity;

/// <summary><c>waybill verify</c> on a real job: sound when untouched or moved, and every kind of tampering named.</summary>
public sealed partial class VerifyTests(CheckedJob fixture) : IClassFixture<CheckedJob>, IDisposable
{
    private readonly TempFolder _temp = new();
    private string? _job;

    /// <summary>This test's own copy of the job.</summary>
    private string Job => _job ??= fixture.CopyTo(_temp.Combine("out", "j"));

    public void Dispose() => _temp.Dispose();

    private Task<CliProcess.Result> Verify(params string[] extra) => CliProcess.RunAsync(_temp.Path, ["verify", Job, .. extra]);

    private async Task<JsonNode> VerifyJson()
    {
        var result = await Verify("--json");
        return JsonNode.Parse(result.Stdout) ?? throw new InvalidOperationException(result.All);
    }

    private static List<JsonNode> Problems(JsonNode report) =>
        [.. report["findings"]!.AsArray().Select(f => f!).Where(f => f["severity"]!.GetValue<string>() != "info")];

    /// <summary>The one problem verify found, asserted to be an error of the given kind.</summary>
    private async Task<JsonNode> SingleError(string kind)
    {
        var report = await VerifyJson();
        var problem = Assert.Single(Problems(report));
        Assert.Equal("error", problem["severity"]!.GetValue<string>());
        Assert.Equal(kind, problem["kind"]!.GetValue<string>());
        return problem;
    }

    private string In(params string[] parts) => Path.Combine([Job, .. parts]);

    [Fact]
    public async Task A_fresh_job_is_sound()
    {
        var result = await Verify();
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Matches(@"verify: \d+ files checked, 0 problems \(0 errors, 0 warnings\)", result.Stdout);
        // Everything the engine writes is sealed: nothing is left unchecked.
        Assert.DoesNotContain("not checked", result.Stdout);
        var checkedFiles = int.Parse(FilesChecked().Match(result.Stdout).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        // 4 manifests, 4 outputs + 1 retained intermediate, 3 external inputs, 3 stage logs, 2 run logs at least.
        Assert.True(checkedFiles >= 17, result.Stdout);
    }

    [Fact]
    public async Task A_job_folder_moved_elsewhere_verifies()
    {
        var moved = fixture.CopyTo(_temp.Combine("archive", "2025", "moved job"));
        var result = await CliProcess.RunAsync(_temp.Path, "verify", moved);
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("0 problems", result.Stdout);
    }

    [Fact]
    public async Task Changed_bytes_of_the_same_size_are_caught()
    {
        File.WriteAllText(In("01_make", "text.txt"), "the quick brown cat\n");
        var result = await Verify();
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("output 01_make/text.txt was changed: its content hashes to", result.Stdout);
        Assert.Contains("verify:", result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        var problem = await SingleError("checksum_mismatch");
        Assert.Equal("01_make", problem["stage"]!.GetValue<string>());
        Assert.Equal("outputs[0].checksum", problem["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_deleted_output_is_caught()
    {
        File.Delete(In("03_shout", "loud.txt"));
        var problem = await SingleError("missing");
        Assert.Equal("03_shout/loud.txt", problem["path"]!.GetValue<string>());
        Assert.Contains("output 03_shout/loud.txt is missing", problem["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_output_replaced_by_a_directory_is_caught()
    {
        File.Delete(In("03_shout", "loud.txt"));
        Directory.CreateDirectory(In("03_shout", "loud.txt"));
        var problem = await SingleError("not_a_file");
        Assert.Contains("is a directory, not a file", problem["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_symlink_loop_in_place_of_an_output_is_caught_without_a_crash()
    {
        File.Delete(In("03_shout", "loud.txt"));
        File.CreateSymbolicLink(In("03_shout", "loud.txt"), In("03_shout", "loud.txt"));
        var result = await Verify();
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("03_shout/loud.txt is a symbolic link loop (ELOOP)", result.Stdout);
        Assert.DoesNotContain("unexpected", result.All);
        await SingleError("symlink_loop");
    }

    [Fact]
    public async Task A_changed_retained_intermediate_is_caught()
    {
        var raw = In("02_listen", ".cache", "command", "audio.json");
        Assert.True(File.Exists(raw));
        File.AppendAllText(raw, " ");
        var problem = await SingleError("size_changed");
        Assert.Equal("02_listen/.cache/command/audio.json", problem["path"]!.GetValue<string>());
        Assert.Contains("retained intermediate 02_listen/.cache/command/audio.json was changed", problem["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_hand_edited_manifest_that_still_parses_is_caught_by_its_checksum()
    {
        CheckedJob.EditManifest(Job, "01_make", m => m["host"] = "somewhere-else");
        var problem = await SingleError("manifest_changed");
        Assert.Equal("01_make/manifest.json", problem["path"]!.GetValue<string>());
        Assert.Contains("was changed after the run wrote it", problem["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_corrupt_manifest_names_the_file_and_the_line()
    {
        var path = In("03_shout", "manifest.json");
        var lines = File.ReadAllLines(path);
        lines[3] = lines[3].Replace(":", "", StringComparison.Ordinal);
        File.WriteAllLines(path, lines);
        var result = await Verify();
        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"03_shout/manifest\.json: not a valid manifest at line 4", result.Stdout);
        var report = await VerifyJson();
        Assert.Contains(Problems(report), p => p["kind"]!.GetValue<string>() == "unreadable_manifest" && p["path"]!.GetValue<string>() == "03_shout/manifest.json");
    }

    [Fact]
    public async Task A_manifest_of_a_newer_schema_is_reported_as_such()
    {
        CheckedJob.EditManifest(Job, "01_make", m => m["schema_version"] = "2.0", reseal: true);
        var problem = await SingleError("newer_schema");
        Assert.Equal("schema_version", problem["field"]!.GetValue<string>());
        Assert.Equal("2.0", problem["actual"]!.GetValue<string>());
        Assert.Contains("written by a newer Waybill", problem["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_manifest_that_breaks_the_schema_names_the_field()
    {
        CheckedJob.EditManifest(Job, "03_shout", m => m["attempt"] = 0, reseal: true);
        var problem = await SingleError("schema");
        Assert.Equal("/attempt", problem["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_changed_line_of_stage_log_is_caught()
    {
        var log = In("01_make", "stage.log");
        var text = File.ReadAllText(log);
        Assert.Contains("made the text", text);
        File.WriteAllText(log, text.Replace("made the text", "made the TEXT", StringComparison.Ordinal));
        var problem = await SingleError("log_changed");
        Assert.Equal("01_make/stage.log was changed after the manifest was written (same size, different content)", problem["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_line_appended_to_stage_log_is_caught()
    {
        const string line = "[2025-01-01 00:00:00] [stage.make] [INFO] all good\n";
        File.AppendAllText(In("01_make", "stage.log"), line);
        var problem = await SingleError("log_appended");
        Assert.Equal($"01_make/stage.log: {System.Text.Encoding.UTF8.GetByteCount(line)} bytes were appended after the manifest was written", problem["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_edited_pipeline_log_is_caught()
    {
        var log = Directory.GetFiles(In("logs"), "99_pipeline_*.log").Single();
        var text = File.ReadAllText(log);
        File.WriteAllText(log, text.Replace("SUCCESS", "FAILED!", StringComparison.Ordinal));
        var problem = await SingleError("log_changed");
        Assert.StartsWith("logs/99_pipeline_", problem["path"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(problem["stage"]);
    }

    [Fact]
    public async Task An_input_that_does_not_match_its_producer_is_a_lineage_error()
    {
        // The consumer's manifest is edited and resealed, so only the lineage rule can see it.
        var other = FileHasher.Compute(Path.Combine(fixture.Folder, "waybill.yaml"), ChecksumAlgorithm.XxHash128);
        CheckedJob.EditManifest(Job, "03_shout", m => m["inputs"]![0]!["checksum"] = other, reseal: true);
        var problem = await SingleError("lineage_inconsistent");
        var produced = JsonNode.Parse(File.ReadAllText(In("01_make", "manifest.json")))!["outputs"]![0]!["checksum"]!.GetValue<string>();
        Assert.Equal($"lineage inconsistent: 03_shout read 01_make/text.txt with hash {other} but 01_make recorded {produced}", problem["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Json_output_parses_and_its_counts_match_the_findings_and_the_text()
    {
        File.WriteAllText(In("01_make", "text.txt"), "the quick brown cat\n");
        File.Delete(In("03_shout", "loud.txt"));
        var report = await VerifyJson();
        var findings = report["findings"]!.AsArray().Select(f => f!).ToList();
        Assert.Equal(findings.Count(f => f["severity"]!.GetValue<string>() == "error"), report["errors"]!.GetValue<int>());
        Assert.Equal(findings.Count(f => f["severity"]!.GetValue<string>() == "warning"), report["warnings"]!.GetValue<int>());
        Assert.Equal(report["errors"]!.GetValue<int>() + report["warnings"]!.GetValue<int>(), report["problems"]!.GetValue<int>());
        Assert.Equal(2, report["errors"]!.GetValue<int>());
        Assert.False(report["sound"]!.GetValue<bool>());
        Assert.Equal("j", report["job_id"]!.GetValue<string>());
        var text = await Verify();
        Assert.Contains($"verify: {report["files_checked"]!.GetValue<int>()} files checked, 2 problems (2 errors, 0 warnings)", text.Stdout);
        Assert.Equal(1, text.ExitCode);
    }

    [Fact]
    public async Task Fast_trusts_size_and_time_and_the_default_does_not()
    {
        var output = In("01_make", "text.txt");
        File.WriteAllText(output, "the quick brown cat\n");
        // The copy has new times, so take the recorded one: --fast only skips files that look untouched.
        var recorded = JsonNode.Parse(File.ReadAllText(In("01_make", "manifest.json")))!["outputs"]![0]!["mtime"]!.GetValue<DateTimeOffset>();
        File.SetLastWriteTimeUtc(output, recorded.UtcDateTime);
        Assert.Equal(0, (await Verify("--fast")).ExitCode);
        Assert.Equal(1, (await Verify()).ExitCode);
    }

    [Fact]
    public async Task A_folder_that_is_not_a_job_is_bad_input()
    {
        Directory.CreateDirectory(_temp.Combine("empty", "logs"));
        var result = await CliProcess.RunAsync(_temp.Path, "verify", _temp.Combine("empty"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a job folder", result.Stderr);
        var unknown = await CliProcess.RunAsync(_temp.Path, "verify", "no-such-job");
        Assert.Equal(2, unknown.ExitCode);
    }

    [GeneratedRegex(@"verify: (\d+) files checked")]
    private static partial Regex FilesChecked();
}
