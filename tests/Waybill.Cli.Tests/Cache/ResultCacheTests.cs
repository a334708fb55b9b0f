using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Core.Hashing;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Cache;

/// <summary>
/// The result cache shared across jobs, through the real CLI: a second job restores every stage instead of running it,
/// a tampered entry is refused, concurrent jobs share one cache, and a cache on another or a full file system still
/// lets the run succeed. Every command appends to a counter file outside the job, so "nothing ran" is a fact, not a claim.
/// </summary>
public sealed class ResultCacheTests : IDisposable
{
    private const string Pipeline = """
        name: cached
        stages:
          - id: 01_make
            run: 'echo 01_make >> "$COUNTER"; seq 1 2000 > {out.numbers}'
            outputs: { numbers: numbers.txt }
          - id: 02_square
            inputs: { numbers: 01_make.numbers }
            run: 'echo 02_square >> "$COUNTER"; awk "{print \$1*\$1}" {in.numbers} > {out.squares}; head -n 3 {in.numbers} > {out.head}'
            outputs: { squares: squares.txt, head: parts/head.txt }
          - id: 03_sum
            inputs: { squares: 02_square.squares }
            run: 'echo 03_sum >> "$COUNTER"; awk "{s+=\$1} END {print s}" {in.squares} > {out.sum}'
            outputs: { sum: sum.txt }
        """;

    private static readonly string[] Stages = ["01_make", "02_square", "03_sum"];
    private static readonly string[] Outputs = ["01_make/numbers.txt", "02_square/squares.txt", "02_square/parts/head.txt", "03_sum/sum.txt"];

    private readonly TempFolder _temp = new();

    public ResultCacheTests() => _temp.Write("waybill.yaml", Pipeline);

    public void Dispose() => _temp.Dispose();

    private string CacheDir => _temp.Combine("cache");

    private Dictionary<string, string> Environment => new() { ["COUNTER"] = _temp.Combine("counter") };

    private string[] Ran => File.Exists(_temp.Combine("counter")) ? File.ReadAllLines(_temp.Combine("counter")) : [];

    private Task<CliProcess.Result> Run(string job, params string[] more) =>
        CliProcess.RunAsync(_temp.Path, Environment, ["run", "waybill.yaml", "--job-id", job, "--jobs", "2", "--cache", CacheDir, .. more]);

    private JsonObject Manifest(string job, string stage) => JsonNode.Parse(File.ReadAllText(_temp.Combine("out", job, stage, "manifest.json")))!.AsObject();

    private string PipelineLog(string job) => File.ReadAllText(Directory.GetFiles(_temp.Combine("out", job, "logs"), "99_pipeline_*.log").Single());

    private static async Task<JsonArray> ListJson(string workingDirectory, string cache, params string[] more)
    {
        var list = await CliProcess.RunAsync(workingDirectory, ["cache", "list", "--cache", cache, "--json", .. more]);
        Assert.True(list.ExitCode == 0, list.All);
        return JsonNode.Parse(list.Stdout)!.AsArray();
    }

    [Fact]
    public async Task A_second_job_restores_every_stage_from_the_cache_and_runs_no_command()
    {
        var first = await Run("ep01-v1");
        Assert.True(first.ExitCode == 0, first.All);
        Assert.Equal(Stages, Ran.Order(StringComparer.Ordinal));

        var second = await Run("ep01-v2", "--explain");

        Assert.True(second.ExitCode == 0, second.All);
        Assert.Equal(3, Ran.Length); // no command of the second job ran
        foreach (var stage in Stages)
        {
            var manifest = Manifest("ep01-v2", stage);
            Assert.Equal("success", (string?)manifest["status"]);
            var reused = manifest["reused_from"]!;
            Assert.Equal("ep01-v1", (string?)reused["job"]);
            Assert.Equal(stage, (string?)reused["stage"]);
            Assert.Equal((string?)Manifest("ep01-v1", stage)["run_id"], (string?)reused["run"]);
            Assert.Equal($"cache hit: same fingerprint as job ep01-v1 stage {stage}", (string?)reused["reason"]);
            Assert.Equal("hard link", (string?)reused["method"]);
            Assert.Equal((string?)Manifest("ep01-v1", stage)["fingerprint"]!["value"], (string?)manifest["fingerprint"]!["value"]);
            Assert.Contains($"restored from the result cache (cache hit: same fingerprint as job ep01-v1 stage {stage}",
                File.ReadAllText(_temp.Combine("out", "ep01-v2", stage, "stage.log")), StringComparison.Ordinal);
            Assert.Contains($"{stage}  restored from the result cache: cache hit: same fingerprint as job ep01-v1 stage {stage}", second.Stdout,
                StringComparison.Ordinal);
        }
        Assert.Contains("cache hit: same fingerprint as job ep01-v1 stage 03_sum", PipelineLog("ep01-v2"), StringComparison.Ordinal);
        foreach (var output in Outputs)
        {
            var (was, now) = (_temp.Combine("out", "ep01-v1", output), _temp.Combine("out", "ep01-v2", output));
            Assert.Equal(File.ReadAllBytes(was), File.ReadAllBytes(now));
            // One file system: the second job's file is the cached bytes themselves, not a copy of them.
            Assert.Equal(Inode(was), Inode(now));
        }
        var lineage = await CliProcess.RunAsync(_temp.Path, "lineage", "ep01-v2");
        Assert.Contains("02_square (success: cache hit: same fingerprint as job ep01-v1 stage 02_square", lineage.Stdout, StringComparison.Ordinal);
        Assert.Contains("[reused from job ep01-v1 stage 02_square, run ", lineage.Stdout, StringComparison.Ordinal);
        var html = await CliProcess.RunAsync(_temp.Path, "lineage", "ep01-v2", "--format", "html", "--output", "lineage.html");
        Assert.True(html.ExitCode == 0, html.All);
        Assert.Contains("reused from job ep01-v1 stage 03_sum", File.ReadAllText(_temp.Combine("lineage.html")), StringComparison.Ordinal);

        // The restored records hold up: verify finds nothing wrong, and a resume finds every stage up to date.
        var verify = await CliProcess.RunAsync(_temp.Path, "verify", "ep01-v2");
        Assert.True(verify.ExitCode == 0, verify.All);
        var resume = await CliProcess.RunAsync(_temp.Path, Environment, "resume", "ep01-v2", "--cache", CacheDir);
        Assert.True(resume.ExitCode == 0, resume.All);
        Assert.Contains("3 skipped (3 up to date)", resume.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, Ran.Length);
    }

    [Fact]
    public async Task A_tampered_cache_entry_is_refused_with_a_warning_and_the_stage_runs()
    {
        Assert.Equal(0, (await Run("a")).ExitCode);
        var entry = (await ListJson(_temp.Path, CacheDir)).Single(e => (string?)e!["stage"] == "02_square")!;
        var cached = Path.Combine((string)entry["folder"]!, "files", "squares.txt");
        // A change of one byte in place: same size, so only the checksum can tell.
        var bytes = File.ReadAllBytes(cached);
        bytes[0] = (byte)(bytes[0] == '9' ? '8' : '9');
        File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(cached)!, "replacement"), bytes);
        File.Move(Path.Combine(Path.GetDirectoryName(cached)!, "replacement"), cached, overwrite: true);

        var second = await Run("b");

        Assert.True(second.ExitCode == 0, second.All);
        // 02_square ran again; 01_make came from the cache, and so did 03_sum, whose input came out the same.
        Assert.Equal(4, Ran.Length);
        Assert.Equal("02_square", Ran[^1]);
        var warning = "Result cache entry for stage 02_square refused and removed: its file squares.txt no longer matches its checksum";
        Assert.Contains(warning, File.ReadAllText(_temp.Combine("out", "b", "02_square", "stage.log")), StringComparison.Ordinal);
        Assert.Contains(warning, PipelineLog("b"), StringComparison.Ordinal);
        Assert.Contains("[WARNING]", PipelineLog("b").Split('\n').Single(l => l.Contains(warning, StringComparison.Ordinal)), StringComparison.Ordinal);
        var manifest = Manifest("b", "02_square");
        Assert.Null(manifest["reused_from"]);
        Assert.Contains(manifest["reasons"]!.AsArray(), r => ((string)r!).Contains("was refused: its file squares.txt no longer matches", StringComparison.Ordinal));
        // The tampered bytes never reached the job: its file is what the command wrote.
        Assert.Equal(File.ReadAllBytes(_temp.Combine("out", "a", "02_square", "squares.txt")), File.ReadAllBytes(_temp.Combine("out", "b", "02_square", "squares.txt")));

        // The refused entry left a tombstone; the stage's new result took its place.
        var pruned = await ListJson(_temp.Path, CacheDir, "--pruned");
        var tombstone = Assert.Single(pruned)!;
        Assert.Equal("02_square", (string?)tombstone["stage"]);
        Assert.Contains("refused by job b stage 02_square: its file squares.txt no longer matches its checksum", (string?)tombstone["reason"],
            StringComparison.Ordinal);
        var entries = await ListJson(_temp.Path, CacheDir);
        Assert.Equal("b", (string?)entries.Single(e => (string?)e!["stage"] == "02_square")!["job"]);
    }

    [Fact]
    public async Task Two_jobs_filling_one_cache_at_once_both_succeed_and_leave_one_valid_entry_per_fingerprint()
    {
        using var one = CliProcess.Start(_temp.Path, Environment, "run", "waybill.yaml", "--job-id", "x", "--cache", CacheDir);
        using var two = CliProcess.Start(_temp.Path, Environment, "run", "waybill.yaml", "--job-id", "y", "--cache", CacheDir);
        var outputs = await Task.WhenAll(one.StandardOutput.ReadToEndAsync(), two.StandardOutput.ReadToEndAsync());
        await Task.WhenAll(one.WaitForExitAsync(), two.WaitForExitAsync());

        Assert.True(one.ExitCode == 0, outputs[0]);
        Assert.True(two.ExitCode == 0, outputs[1]);
        var entries = await ListJson(_temp.Path, CacheDir);
        Assert.Equal(Stages, entries.Select(e => (string)e!["stage"]!).Order(StringComparer.Ordinal));
        foreach (var entry in entries)
        {
            var folder = (string)entry!["folder"]!;
            var record = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "record.json")))!;
            foreach (var file in record["files"]!.AsArray())
                Assert.Equal((string?)file!["checksum"], FileHasher.Compute(Path.Combine(folder, "files", (string)file["path"]!), ChecksumAlgorithm.XxHash128));
        }
        // Nothing half-built is left behind by the writer that lost a race.
        Assert.Empty(Directory.Exists(Path.Combine(CacheDir, "tmp")) ? Directory.GetFileSystemEntries(Path.Combine(CacheDir, "tmp")) : []);
        foreach (var output in Outputs)
            Assert.Equal(File.ReadAllBytes(_temp.Combine("out", "x", output)), File.ReadAllBytes(_temp.Combine("out", "y", output)));
    }

    [Fact]
    public async Task A_cache_on_another_file_system_is_filled_and_read_by_copies()
    {
        using var disk = Tmpfs.Mount(_temp.Combine("other"), 16 * 1024 * 1024);
        var cache = Path.Combine(disk.Path, "cache");
        var first = await CliProcess.RunAsync(_temp.Path, Environment, "run", "waybill.yaml", "--job-id", "a", "--cache", cache);
        Assert.True(first.ExitCode == 0, first.All);
        var second = await CliProcess.RunAsync(_temp.Path, Environment, "run", "waybill.yaml", "--job-id", "b", "--cache", cache);
        Assert.True(second.ExitCode == 0, second.All);

        Assert.Equal(3, Ran.Length);
        foreach (var stage in Stages) Assert.Equal("copy", (string?)Manifest("b", stage)["reused_from"]!["method"]);
        var entry = (await ListJson(_temp.Path, cache)).Single(e => (string?)e!["stage"] == "03_sum")!;
        var cached = Path.Combine((string)entry["folder"]!, "files", "sum.txt");
        var restored = _temp.Combine("out", "b", "03_sum", "sum.txt");
        Assert.Equal(File.ReadAllBytes(_temp.Combine("out", "a", "03_sum", "sum.txt")), File.ReadAllBytes(restored));
        Assert.NotEqual(Stamp(cached).Device, Stamp(restored).Device);
    }

    [Fact]
    public async Task A_full_cache_disk_lets_the_run_succeed_and_says_once_that_it_could_not_store_results()
    {
        using var disk = Tmpfs.Mount(_temp.Combine("small"), 64 * 1024);
        var cache = Path.Combine(disk.Path, "cache");
        _temp.Write("waybill.yaml", Pipeline.Replace("seq 1 2000", "seq 1 200000", StringComparison.Ordinal)); // about 1.3 MB

        var run = await CliProcess.RunAsync(_temp.Path, Environment, "run", "waybill.yaml", "--job-id", "full", "--cache", cache, "--jobs", "1");

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(3, Ran.Length);
        var line = $"Result cache {cache}: could not store the result of stage 01_make (no space left on ";
        Assert.Contains(line, run.Stdout, StringComparison.Ordinal);
        Assert.Contains("this run goes on without storing results", run.Stdout, StringComparison.Ordinal);
        Assert.Single(PipelineLog("full").Split('\n'), l => l.Contains("could not store", StringComparison.Ordinal));
        foreach (var stage in Stages) Assert.Equal("success", (string?)Manifest("full", stage)["status"]);
        Assert.Empty(await ListJson(_temp.Path, cache));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(cache, "tmp")));
    }

    [Fact]
    public async Task Cache_list_shows_the_entries_and_prune_removes_by_age_then_by_size_leaving_tombstones()
    {
        Assert.Equal(0, (await Run("a")).ExitCode);
        var entries = (await ListJson(_temp.Path, CacheDir)).ToDictionary(e => (string)e!["stage"]!, e => e!.AsObject());
        // Last use is the modification time of each entry's last-used file: set, not waited for.
        var now = DateTime.UtcNow;
        File.SetLastWriteTimeUtc(Path.Combine((string)entries["01_make"]["folder"]!, "last-used"), now.AddDays(-40));
        File.SetLastWriteTimeUtc(Path.Combine((string)entries["02_square"]["folder"]!, "last-used"), now.AddDays(-10));
        File.SetLastWriteTimeUtc(Path.Combine((string)entries["03_sum"]["folder"]!, "last-used"), now.AddHours(-1));

        var list = await CliProcess.RunAsync(_temp.Path, "cache", "list", "--cache", CacheDir);
        Assert.True(list.ExitCode == 0, list.All);
        Assert.Matches(@"01_make\s+a\s+\S+\s+now\s+40d\s+xxh128:", list.Stdout);
        Assert.Matches(@"03_sum\s+a\s+\S+\s+now\s+1h\s+xxh128:", list.Stdout);
        Assert.Contains($"Result cache {CacheDir}: 3 entries", list.Stdout, StringComparison.Ordinal);

        var byAge = await CliProcess.RunAsync(_temp.Path, "cache", "prune", "--cache", CacheDir, "--older-than", "30d");
        Assert.True(byAge.ExitCode == 0, byAge.All);
        Assert.Contains("removed 01_make of job a", byAge.Stdout, StringComparison.Ordinal);
        Assert.Equal(["02_square", "03_sum"], (await ListJson(_temp.Path, CacheDir)).Select(e => (string)e!["stage"]!).Order(StringComparer.Ordinal));

        // Room for the most recently used entry only: the older of the two goes.
        var sumBytes = (long)entries["03_sum"]["size_bytes"]!;
        var bySize = await CliProcess.RunAsync(_temp.Path, "cache", "prune", "--cache", CacheDir, "--max-size", $"{sumBytes}B");
        Assert.True(bySize.ExitCode == 0, bySize.All);
        Assert.Equal(["03_sum"], (await ListJson(_temp.Path, CacheDir)).Select(e => (string)e!["stage"]!));

        var tombstones = await ListJson(_temp.Path, CacheDir, "--pruned");
        Assert.Equal(["01_make", "02_square"], tombstones.Select(t => (string)t!["stage"]!));
        Assert.Equal("not used for 40d (--older-than 30d)", (string?)tombstones[0]!["reason"]);
        Assert.StartsWith("least recently used while the cache held ", (string?)tombstones[1]!["reason"], StringComparison.Ordinal);
        Assert.EndsWith($"(--max-size {sumBytes}B)", (string?)tombstones[1]!["reason"], StringComparison.Ordinal);
        Assert.Equal((long)entries["02_square"]["size_bytes"]!, (long)tombstones[1]!["size_bytes"]!);
        Assert.All(tombstones, t => Assert.NotNull((string?)t!["pruned_utc"]));
        var text = await CliProcess.RunAsync(_temp.Path, "cache", "list", "--cache", CacheDir, "--pruned");
        Assert.Contains("not used for 40d (--older-than 30d)", text.Stdout, StringComparison.Ordinal);

        // A pruned stage runs again in the next job; the kept one is restored.
        Assert.Equal(0, (await Run("b")).ExitCode);
        Assert.Equal(["01_make", "02_square"], Ran.Skip(3).Order(StringComparer.Ordinal));
        Assert.NotNull(Manifest("b", "03_sum")["reused_from"]);

        var bad = await CliProcess.RunAsync(_temp.Path, "cache", "prune", "--cache", CacheDir, "--max-size", "20", "--older-than", "soon");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--max-size '20' has no unit", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("--older-than", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_cache_and_a_stage_with_cache_false_always_run_and_the_environment_names_the_cache()
    {
        var off = await Run("off", "--no-cache");
        Assert.Equal(2, off.ExitCode); // --cache and --no-cache together
        Assert.Contains("--cache and --no-cache contradict each other", off.Stderr, StringComparison.Ordinal);

        _temp.Write("waybill.yaml", Pipeline.Replace("outputs: { sum: sum.txt }", "outputs: { sum: sum.txt }\n    cache: false", StringComparison.Ordinal));
        var viaEnvironment = new Dictionary<string, string>(Environment) { ["WAYBILL_CACHE"] = CacheDir };
        Assert.Equal(0, (await CliProcess.RunAsync(_temp.Path, viaEnvironment, "run", "waybill.yaml", "--job-id", "a")).ExitCode);
        Assert.Equal(3, Ran.Length);
        Assert.Equal(["01_make", "02_square"], (await ListJson(_temp.Path, CacheDir)).Select(e => (string)e!["stage"]!).Order(StringComparer.Ordinal));

        var again = await CliProcess.RunAsync(_temp.Path, viaEnvironment, "run", "waybill.yaml", "--job-id", "b");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Equal(["03_sum"], Ran.Skip(3)); // cache: false runs; the others come from the cache the environment names
        Assert.NotNull(Manifest("b", "02_square")["reused_from"]);
        Assert.Null(Manifest("b", "03_sum")["reused_from"]);

        var none = await CliProcess.RunAsync(_temp.Path, viaEnvironment, "run", "waybill.yaml", "--job-id", "c", "--no-cache");
        Assert.True(none.ExitCode == 0, none.All);
        Assert.Equal(Stages, Ran.Skip(4).Order(StringComparer.Ordinal));
        Assert.All(Stages, s => Assert.Null(Manifest("c", s)["reused_from"]));

        _temp.Write("waybill.yaml", Pipeline.Replace("outputs: { sum: sum.txt }", "outputs: { sum: sum.txt }\n    cache: maybe", StringComparison.Ordinal));
        var invalid = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("waybill.yaml:14:", invalid.All, StringComparison.Ordinal);
        Assert.Contains("cache must be true or false", invalid.All, StringComparison.Ordinal);
    }

    private static FileStamp Stamp(string path)
    {
        Assert.Equal(FileStampStatus.RegularFile, FileStamp.TryRead(path, out var stamp));
        return stamp;
    }

    private static ulong Inode(string path) => Stamp(path).Inode;
}
