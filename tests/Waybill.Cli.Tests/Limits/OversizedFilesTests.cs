using Waybill.Cli.Tests.Report;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Limits;

/// <summary>
/// Files of a job, of the result cache and of the user replaced by ones larger than their kind ever is: a sparse file past
/// the bound (made at once, nothing written) or a link to /dev/zero (a length of 0 that never ends). A job file a command
/// needs is a clear error naming the file, its bound and what to do; a cache file is passed over and the work goes on;
/// an optional part of a report is said to be missing. Nothing the job wrote is lost.
/// </summary>
public sealed class OversizedFilesTests : IDisposable
{
    private const string Pipeline = """
        stages:
          - id: 01_a
            run: 'echo 01_a >> "$COUNTER"; echo hi > {out.o}'
            outputs: { o: o.txt }
          - id: 02_b
            inputs: { o: 01_a.o }
            run: 'echo 02_b >> "$COUNTER"; tr a-z A-Z < {in.o} > {out.p}'
            outputs: { p: p.txt }
        """;

    private readonly TempFolder _temp = new();

    public OversizedFilesTests() => _temp.Write("waybill.yaml", Pipeline);

    public void Dispose() => _temp.Dispose();

    private string Job => _temp.Combine("out", "j");

    private Dictionary<string, string> Environment => new() { ["COUNTER"] = _temp.Combine("counter") };

    private string[] Ran => File.Exists(_temp.Combine("counter")) ? File.ReadAllLines(_temp.Combine("counter")) : [];

    private Task<CliProcess.Result> Cli(params string[] args) => CliProcess.RunAsync(_temp.Path, Environment, args);

    private async Task RunJob(string job = "j", params string[] more)
    {
        var run = await Cli(["run", "waybill.yaml", "--job-id", job, .. more]);
        Assert.True(run.ExitCode == 0, run.All);
    }

    /// <summary>Every file of the job with its bytes, to show that a refused read changed nothing.</summary>
    private Dictionary<string, byte[]> Snapshot(params string[] except) =>
        Directory.GetFiles(Job, "*", SearchOption.AllDirectories)
            .Where(f => !except.Any(e => f.EndsWith(e, StringComparison.Ordinal)) && new FileInfo(f).LinkTarget is null)
            .ToDictionary(f => Path.GetRelativePath(Job, f), File.ReadAllBytes);

    private static void Sparse(string path, long length)
    {
        File.Delete(path);
        using var file = File.Open(path, FileMode.CreateNew);
        file.SetLength(length);
    }

    private static void LinkToZero(string path)
    {
        File.Delete(path);
        File.CreateSymbolicLink(path, "/dev/zero");
    }

    [Fact]
    public async Task A_journal_over_its_bound_stops_status_with_the_file_the_bound_and_what_to_do_and_loses_nothing()
    {
        await RunJob();
        var before = Snapshot();
        var journal = Path.Combine(Job, ".waybill", "journal.jsonl");
        Sparse(journal, (512L << 20) + 1);

        string[][] commands =
        [
            ["status", "j"], ["status", "j", "--json"], ["manifest", "j", "01_a"], ["run", "waybill.yaml", "--job-id", "j"], ["resume", "j"],
            ["verify", "j"],
        ];
        foreach (var args in commands)
        {
            var status = await Cli(args);
            Assert.True(status.ExitCode == 3, status.All);
            Assert.Contains($"{journal}: more than 512 MiB, the most a job journal may hold", status.Stderr);
            Assert.Contains("move it out of the job folder and run the pipeline again", status.Stderr);
            Assert.DoesNotContain("unexpected", status.All);
        }
        Assert.Equal(before, Snapshot("journal.jsonl"));

        // Done as the message says, the job reads as it was.
        File.Delete(journal);
        var after = await Cli("status", "j");
        Assert.True(after.ExitCode == 0, after.All);
        Assert.Contains("SUCCESS", after.Stdout);
    }

    [Fact]
    public async Task Manifest_json_of_a_stage_linked_to_dev_zero_is_a_clear_error()
    {
        await RunJob();
        var manifest = Path.Combine(Job, "01_a", "manifest.json");
        LinkToZero(manifest);

        var result = await Cli("manifest", "j", "01_a", "--json");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{manifest}: too large to be a manifest: more than 128 MiB", result.Stderr);
        Assert.Equal("hi\n", File.ReadAllText(Path.Combine(Job, "01_a", "o.txt")));
    }

    [Fact]
    public async Task A_result_cache_record_linked_to_dev_zero_is_refused_with_a_warning_and_the_stage_runs()
    {
        var cache = _temp.Combine("cache");
        await RunJob("a", "--cache", cache);
        var record = Directory.GetFiles(cache, Waybill.Core.Caching.ResultCacheEntry.RecordName, SearchOption.AllDirectories)
            .Single(f => File.ReadAllText(f).Contains("\"01_a\"", StringComparison.Ordinal));
        LinkToZero(record);
        File.Delete(_temp.Combine("counter"));

        var run = await Cli("run", "waybill.yaml", "--job-id", "b", "--cache", cache);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("01_a", Ran);
        Assert.Contains("more than 16 MiB, more than a record ever holds", run.All);
        Assert.Equal("HI\n", File.ReadAllText(_temp.Combine("out", "b", "02_b", "p.txt")));
        // The damaged entry went; the stage's new result took its place.
        Assert.Null(new FileInfo(record).LinkTarget);
    }

    [Fact]
    public async Task Metadata_json_saved_by_an_editor_with_a_byte_order_mark_keeps_the_job_s_creation_time()
    {
        await RunJob();
        var metadata = Path.Combine(Job, "metadata.json");
        var created = (string?)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(metadata))!["created_utc"];
        Assert.NotNull(created);
        File.WriteAllBytes(metadata, [.. System.Text.Encoding.UTF8.Preamble, .. File.ReadAllBytes(metadata)]);

        await RunJob();
        Assert.Equal(created, (string?)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(metadata))!["created_utc"]);
    }

    [Fact]
    public async Task The_list_of_what_was_pruned_stops_at_a_line_too_long_to_be_a_record_and_says_so()
    {
        var cache = _temp.Combine("cache");
        await RunJob("a", "--cache", cache);
        var prune = await Cli("cache", "prune", "--cache", cache, "--max-size", "1B");
        Assert.True(prune.ExitCode == 0, prune.All);
        var pruned = Path.Combine(cache, "pruned.jsonl");
        // Two records, then a line of 70 KB (more than 64 KiB, with no end), then a record no listing reaches.
        var records = File.ReadAllLines(pruned);
        Assert.Equal(2, records.Length);
        File.AppendAllText(pruned, new string('x', 70_000) + "\n" + records[0] + "\n");

        var list = await Cli("cache", "list", "--cache", cache, "--pruned", "--json");
        Assert.True(list.ExitCode == 0, list.All);
        Assert.Equal(2, System.Text.Json.Nodes.JsonNode.Parse(list.Stdout)!.AsArray().Count);
        Assert.Contains($"warning: the list of what was pruned stops here: {pruned}:3: a line of more than 64 KiB", list.Stderr);
    }

    [Fact]
    public async Task A_stat_cache_over_its_bound_is_discarded_and_the_rerun_still_finds_every_stage_up_to_date()
    {
        await RunJob();
        var statCache = Path.Combine(Job, ".waybill", "stat-cache");
        Assert.True(File.Exists(statCache));
        // A link to /dev/zero: the old whole-file read never came back from it (a sparse file it would have read and refused).
        LinkToZero(statCache);
        File.Delete(_temp.Combine("counter"));
        // A new stamp, the same content: the rerun must read the stat cache (and then hash the file) to know it is unchanged.
        var output = Path.Combine(Job, "01_a", "o.txt");
        File.SetLastWriteTimeUtc(output, File.GetLastWriteTimeUtc(output).AddMinutes(-5));

        await RunJob();
        Assert.Empty(Ran);
        // Written anew from the files hashed again.
        Assert.InRange(new FileInfo(statCache).Length, 1, 1 << 20);
    }

    [Fact]
    public async Task Metadata_json_linked_to_dev_zero_leaves_the_report_without_the_command_line_and_says_why()
    {
        await RunJob();
        LinkToZero(Path.Combine(Job, "metadata.json"));

        var report = await Cli("report", "j", "--output", "r.html");
        Assert.True(report.ExitCode == 0, report.All);
        var notes = ReportJobsFixture.Data(File.ReadAllText(_temp.Combine("r.html")))["notes"]!.AsArray().Select(n => (string)n!).ToList();
        Assert.Contains(notes, n => n.StartsWith("metadata.json is larger than 1 MiB", StringComparison.Ordinal)
            && n.EndsWith("the run's command line and overrides are not shown", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_names_a_sealed_job_file_linked_to_dev_zero_as_unreadable_instead_of_hashing_it_forever()
    {
        await RunJob();
        var metadata = Path.Combine(Job, "metadata.json");
        LinkToZero(metadata);

        var verify = await Cli("verify", "j");
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains($"metadata.json cannot be read: {metadata}: more than 128 MiB", verify.All);
    }

    [Fact]
    public async Task A_model_registry_linked_to_dev_zero_is_a_clear_error()
    {
        var registry = _temp.Combine("models.json");
        File.CreateSymbolicLink(registry, "/dev/zero");

        var result = await CliProcess.RunAsync(_temp.Path,
            new Dictionary<string, string> { ["WAYBILL_MODEL_REGISTRY"] = registry, ["WAYBILL_MODEL_DIR"] = _temp.Combine("models") },
            "models", "list");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{registry}: more than the 1,048,576 bytes a registry file may have", result.Stderr);
        Assert.Contains("hint: point WAYBILL_MODEL_REGISTRY at a registry file", result.Stderr);
    }

    [Fact]
    public async Task A_dynamic_list_of_one_endless_line_is_refused_at_the_size_of_an_item()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_list
                run: "head -c 200000 /dev/zero | tr '\\0' x > {out.names}"
                outputs: { names: names.txt }
              - id: 02_each
                foreach: { lines: 01_list.names }
                run: 'echo {item} > {out.o}'
                outputs: { o: o.txt }
            """);
        var run = await Cli("run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode != 0, run.All);
        Assert.Contains("names.txt): line 1 is more than 65,536 bytes", run.All);
        Assert.True(File.Exists(Path.Combine(Job, "01_list", "names.txt")));
    }
}
