using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Core.Hashing;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Integrity;

/// <summary>
/// events.jsonl and openlineage.jsonl, which every run of a job appends to, are sealed by parts: each run's part has its
/// own checksum, a rerun carries the earlier parts over as they were, and verify checks every part.
/// </summary>
public sealed class LogSegmentTests : IDisposable
{
    private const string Pipeline = """
        name: parts
        stages:
          - id: 01_make
            run: echo made > {out.a}
            outputs: { a: a.txt }
        """;

    private static readonly string[] AppendedLogs = ["logs/events.jsonl", "logs/openlineage.jsonl"];

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Job => _temp.Combine("out", "j");

    private async Task Run()
    {
        var result = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(result.ExitCode == 0, result.All);
    }

    private JsonNode JobManifest() => JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "manifest.json")))!;

    private static JsonNode Seal(JsonNode job, string path) => job["logs"]!.AsArray().Single(l => (string?)l!["path"] == path)!;

    private static string RunId(JsonNode job) => (string)job["run_id"]!;

    [Fact]
    public async Task Each_run_seals_its_own_part_and_a_rerun_carries_the_earlier_parts_over()
    {
        _temp.Write("waybill.yaml", Pipeline);
        await Run();
        var first = JobManifest();
        await Run();
        var second = JobManifest();

        foreach (var path in AppendedLogs)
        {
            var (before, after) = (Seal(first, path), Seal(second, path));
            Assert.Null(after["checksum"]);
            var parts = after["run_parts"]!.AsArray().Select(p => p!).ToList();
            Assert.Equal(2, parts.Count);
            // The first run's part is carried over as it was sealed, and the parts follow one another to the end.
            Assert.Equal(before["run_parts"]![0]!.ToJsonString(), parts[0].ToJsonString());
            Assert.Equal(0, (long)parts[0]["offset"]!);
            Assert.Equal((long)parts[0]["size_bytes"]!, (long)parts[1]["offset"]!);
            Assert.Equal((long)after["size_bytes"]!, (long)parts[1]["offset"]! + (long)parts[1]["size_bytes"]!);
            Assert.Equal([RunId(first), RunId(second)], parts.Select(p => (string)p["run_id"]!));
            // Each part's checksum is that of its bytes alone.
            var bytes = File.ReadAllBytes(Path.Combine(Job, path));
            foreach (var part in parts)
            {
                var own = _temp.Combine("part.bin");
                File.WriteAllBytes(own, bytes.AsSpan((int)(long)part["offset"]!, (int)(long)part["size_bytes"]!).ToArray());
                Assert.Equal(FileHasher.Compute(own, ChecksumAlgorithm.XxHash128), (string)part["checksum"]!);
            }
        }
        var verify = await CliProcess.RunAsync(_temp.Path, "verify", Job);
        Assert.True(verify.ExitCode == 0, verify.All);
    }

    [Fact]
    public async Task A_changed_byte_in_an_earlier_run_s_part_is_caught_and_names_that_run()
    {
        _temp.Write("waybill.yaml", Pipeline);
        await Run();
        var firstRun = RunId(JobManifest());
        await Run();
        var events = Path.Combine(Job, "logs", "events.jsonl");
        var text = File.ReadAllText(events);
        var at = text.IndexOf("job_started", StringComparison.Ordinal);
        File.WriteAllText(events, string.Concat(text.AsSpan(0, at), "job_STARTED", text.AsSpan(at + "job_started".Length)));

        var result = await CliProcess.RunAsync(_temp.Path, "verify", Job, "--json");
        Assert.Equal(1, result.ExitCode);
        var problem = Assert.Single(JsonNode.Parse(result.Stdout)!["findings"]!.AsArray(), f => (string?)f!["severity"] == "error")!;
        Assert.Equal("log_changed", (string?)problem["kind"]);
        Assert.Equal("logs/events.jsonl", (string?)problem["path"]);
        Assert.EndsWith(".run_parts[0].checksum", (string?)problem["field"], StringComparison.Ordinal);
        Assert.Contains($"appended by run {firstRun}", (string?)problem["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_whole_file_seal_from_before_parts_becomes_the_first_part()
    {
        _temp.Write("waybill.yaml", Pipeline);
        await Run();
        // The seal an earlier Waybill wrote: the whole file's size and checksum, no parts.
        var manifestPath = Path.Combine(Job, "manifest.json");
        var job = JobManifest();
        var events = Path.Combine(Job, "logs", "events.jsonl");
        var whole = FileHasher.Compute(events, ChecksumAlgorithm.XxHash128);
        var seal = Seal(job, "logs/events.jsonl").AsObject();
        seal.Remove("run_parts");
        seal["checksum"] = whole;
        File.WriteAllText(manifestPath, job.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(Job, ".waybill", "manifest.checksum"), FileHasher.Compute(manifestPath, ChecksumAlgorithm.XxHash128) + "\n");
        var sealedSize = new FileInfo(events).Length;

        await Run();
        var parts = Seal(JobManifest(), "logs/events.jsonl")["run_parts"]!.AsArray();
        Assert.Equal(2, parts.Count);
        Assert.Equal(whole, (string?)parts[0]!["checksum"]);
        Assert.Equal(sealedSize, (long)parts[0]!["size_bytes"]!);
        Assert.Null(parts[0]!["run_id"]);
        var verify = await CliProcess.RunAsync(_temp.Path, "verify", Job);
        Assert.True(verify.ExitCode == 0, verify.All);
    }
}
