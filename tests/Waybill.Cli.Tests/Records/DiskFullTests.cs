using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Records;

/// <summary>
/// A run on a file system that fills up (a 4 MiB tmpfs the test mounts): the stage's own write fails, then the engine's
/// log and manifest writes; the run must still say where space ran out and leave records that say <c>failed</c>.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private const long FileSystemBytes = 4 * 1024 * 1024;
    private const int BallastBytes = 2560 * 1024;
    private const int LinesAfterFull = 1000;

    // 02_fill writes 2 MiB where about 1 MiB is free, then prints lines the engine must log on the full disk.
    private const string Pipeline = """
        name: full
        stages:
          - id: 01_small
            run: echo small > {out.o}
            outputs: { o: small.txt }
          - id: 02_fill
            inputs: { i: 01_small.o }
            run: 'head -c 2097152 /dev/zero > {out.o}; status=$?; seq 1 1000; exit $status'
            outputs: { o: big.bin }
          - id: 03_after
            inputs: { i: 02_fill.o }
            run: wc -c < {in.i} > {out.o}
            outputs: { o: size.txt }
          - id: 04_independent
            run: echo independent > {out.o}
            outputs: { o: independent.txt }
        """;

    private readonly TempFolder _temp = new();
    private readonly Tmpfs _disk;

    public DiskFullTests() => _disk = Tmpfs.Mount(_temp.Combine("disk"), FileSystemBytes);

    public void Dispose()
    {
        _disk.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_full_disk_is_named_recorded_as_failed_and_resumed_once_space_is_freed()
    {
        var root = _disk.Path;
        File.WriteAllText(Path.Combine(root, "waybill.yaml"), Pipeline);
        var ballast = Path.Combine(root, "ballast.bin");
        File.WriteAllBytes(ballast, new byte[BallastBytes]);
        var job = Path.Combine(root, "out", "j");

        var run = await CliProcess.RunAsync(root, "run", "waybill.yaml", "--job-id", "j", "--jobs", "1", "--keep-going");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"no space left on {root} (tmpfs", run.Stdout);
        var jobManifest = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "manifest.json")))!;
        Assert.Equal("failed", jobManifest["status"]!.GetValue<string>());
        var fill = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "02_fill", "manifest.json")))!;
        Assert.Equal("failed", fill["status"]!.GetValue<string>());
        Assert.Contains(fill["errors"]!.AsArray(),
            e => e!["message"]!.GetValue<string>().Contains("No space left on device", StringComparison.Ordinal));
        // A full disk stops the run even with --keep-going: the independent stage says why it did not start.
        var independent = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "04_independent", "manifest.json")))!;
        Assert.StartsWith($"not run: no space left on {root}", independent["status_reason"]!.GetValue<string>());
        // The lines the command printed after the disk filled went through the engine's log writers, which met the full disk.
        Assert.Contains($"stdout| {LinesAfterFull}\n", File.ReadAllText(Path.Combine(job, "02_fill", "stage.log")));
        var events = File.ReadAllLines(Path.Combine(job, "logs", "events.jsonl"));
        foreach (var line in events) JsonDocument.Parse(line).Dispose();
        Assert.Contains(events, l => l.Contains($"\"message\":\"stdout| {LinesAfterFull}\"", StringComparison.Ordinal));
        Assert.Contains("no space left on", File.ReadAllText(Directory.GetFiles(Path.Combine(job, "logs"), "99_pipeline_*.log").Single()));
        Assert.False(File.Exists(Path.Combine(job, ".waybill", "reserve")));

        File.Delete(ballast);
        var resumed = await CliProcess.RunAsync(root, "resume", "j");
        Assert.True(resumed.ExitCode == 0, resumed.All);
        var verify = await CliProcess.RunAsync(root, "verify", "j");
        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.Contains("0 problems", verify.Stdout);

        ReliabilityFigures.Record("disk-full test file system (tmpfs)",
            $"{FileSystemBytes / 1024} KiB with {BallastBytes / 1024} KiB ballast; a stage writing 2048 KiB, then {LinesAfterFull} log lines");
    }

    [Fact]
    public async Task A_run_that_cannot_set_aside_room_for_its_records_does_not_start()
    {
        var root = _disk.Path;
        File.WriteAllText(Path.Combine(root, "waybill.yaml"), Pipeline);
        File.WriteAllBytes(Path.Combine(root, "ballast.bin"), new byte[FileSystemBytes - 64 * 1024]);

        var run = await CliProcess.RunAsync(root, "run", "waybill.yaml", "--job-id", "j");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"error: no space left on {root} (tmpfs", run.Stderr);
        Assert.Contains("the run did not start, nothing was changed", run.Stderr);
        Assert.False(File.Exists(Path.Combine(root, "out", "j", "manifest.json")));
    }
}
