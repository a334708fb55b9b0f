using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Records;

/// <summary>
/// A run, or an exec-stage, on a file system that fills up (a small tmpfs the test mounts): the stage's own write fails,
/// then the engine's log and manifest writes; the command must still say where space ran out and leave records that say
/// <c>failed</c>.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private const long FileSystemBytes = 4 * 1024 * 1024;
    private const int BallastBytes = 2560 * 1024;
    // exec-stage runs after a first run succeeded: it holds that run's 2 MiB output aside while it writes 2 MiB anew.
    private const long ExecStageFileSystemBytes = 8 * 1024 * 1024;
    private const long ExecStageFreeLeft = 1024 * 1024;
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
    private Tmpfs? _disk;

    public void Dispose()
    {
        _disk?.Dispose();
        _temp.Dispose();
    }

    /// <summary>Mounts the test's tmpfs and writes the pipeline into it; returns its path.</summary>
    private string Mount(long bytes)
    {
        _disk = Tmpfs.Mount(_temp.Combine("disk"), bytes);
        File.WriteAllText(Path.Combine(_disk.Path, "waybill.yaml"), Pipeline);
        return _disk.Path;
    }

    /// <summary>What 02_fill leaves on the full disk: a failed manifest naming the error, every line logged, whole events.</summary>
    private static void AssertFillFailedWithItsLinesLogged(string job)
    {
        var fill = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "02_fill", "manifest.json")))!;
        Assert.Equal("failed", fill["status"]!.GetValue<string>());
        Assert.Contains(fill["errors"]!.AsArray(),
            e => e!["message"]!.GetValue<string>().Contains("No space left on device", StringComparison.Ordinal));
        // The lines the command printed after the disk filled went through the engine's log writers, which met the full disk.
        Assert.Contains($"stdout| {LinesAfterFull}\n", File.ReadAllText(Path.Combine(job, "02_fill", "stage.log")));
        var events = File.ReadAllLines(Path.Combine(job, "logs", "events.jsonl"));
        foreach (var line in events) JsonDocument.Parse(line).Dispose();
        Assert.Contains(events, l => l.Contains($"\"message\":\"stdout| {LinesAfterFull}\"", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(job, ".waybill", "reserve")));
        Assert.False(File.Exists(Path.Combine(job, ".waybill", "reserve.final")));
    }

    private static async Task AssertVerifiesClean(string root)
    {
        var verify = await CliProcess.RunAsync(root, "verify", "j");
        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.Contains("0 problems", verify.Stdout);
    }

    [Fact]
    public async Task A_full_disk_is_named_recorded_as_failed_and_resumed_once_space_is_freed()
    {
        var root = Mount(FileSystemBytes);
        var ballast = Path.Combine(root, "ballast.bin");
        File.WriteAllBytes(ballast, new byte[BallastBytes]);
        var job = Path.Combine(root, "out", "j");

        var run = await CliProcess.RunAsync(root, "run", "waybill.yaml", "--job-id", "j", "--jobs", "1", "--keep-going");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"no space left on {root} (tmpfs", run.Stdout);
        var jobManifest = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "manifest.json")))!;
        Assert.Equal("failed", jobManifest["status"]!.GetValue<string>());
        AssertFillFailedWithItsLinesLogged(job);
        // A full disk stops the run even with --keep-going: the independent stage says why it did not start.
        var independent = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "04_independent", "manifest.json")))!;
        Assert.StartsWith($"not run: no space left on {root}", independent["status_reason"]!.GetValue<string>());
        Assert.Contains("no space left on", File.ReadAllText(Directory.GetFiles(Path.Combine(job, "logs"), "99_pipeline_*.log").Single()));

        File.Delete(ballast);
        var resumed = await CliProcess.RunAsync(root, "resume", "j");
        Assert.True(resumed.ExitCode == 0, resumed.All);
        await AssertVerifiesClean(root);

        ReliabilityFigures.Record("disk-full test file system (tmpfs)",
            $"{FileSystemBytes / 1024} KiB with {BallastBytes / 1024} KiB ballast; a stage writing 2048 KiB, then {LinesAfterFull} log lines");
    }

    [Fact]
    public async Task A_run_that_cannot_set_aside_room_for_its_records_does_not_start()
    {
        var root = Mount(FileSystemBytes);
        File.WriteAllBytes(Path.Combine(root, "ballast.bin"), new byte[FileSystemBytes - 64 * 1024]);

        var run = await CliProcess.RunAsync(root, "run", "waybill.yaml", "--job-id", "j");

        Assert.Equal(3, run.ExitCode);
        Assert.Contains($"error: no space left on {root} (tmpfs", run.Stderr);
        Assert.Contains("the run did not start, nothing was changed", run.Stderr);
        Assert.False(File.Exists(Path.Combine(root, "out", "j", "manifest.json")));
    }

    [Fact]
    public async Task Exec_stage_on_a_full_disk_names_it_records_the_failure_and_runs_once_space_is_freed()
    {
        var root = Mount(ExecStageFileSystemBytes);
        var job = Path.Combine(root, "out", "j");
        var first = await CliProcess.RunAsync(root, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(first.ExitCode == 0, first.All);
        // Ballast leaves 1 MiB free: room for the reserve, not for the stage's 2 MiB.
        var ballast = Path.Combine(root, "ballast.bin");
        File.WriteAllBytes(ballast, new byte[new DriveInfo(root).AvailableFreeSpace - ExecStageFreeLeft]);

        var single = await CliProcess.RunAsync(root, "exec-stage", "j", "02_fill");

        Assert.True(single.ExitCode == 1, single.All);
        Assert.Contains($"no space left on {root} (tmpfs", single.Stdout);
        Assert.Contains("then run 'waybill exec-stage j 02_fill' again", single.Stdout);
        AssertFillFailedWithItsLinesLogged(job);
        // The job manifest learnt the failure and seals the stage manifest as it now is.
        var jobStage = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "manifest.json")))!["stages"]!.AsArray()
            .First(s => s!["stage_id"]!.GetValue<string>() == "02_fill")!;
        Assert.Equal("failed", jobStage["status"]!.GetValue<string>());
        var afterFailure = await CliProcess.RunAsync(root, "verify", "j", "--json");
        Assert.DoesNotContain(JsonNode.Parse(afterFailure.Stdout)!["findings"]!.AsArray(),
            f => f!["kind"]!.GetValue<string>() is "manifest_changed" or "log_changed" or "events_line_broken" or "missing_manifest");

        File.Delete(ballast);
        var again = await CliProcess.RunAsync(root, "exec-stage", "j", "02_fill");
        Assert.True(again.ExitCode == 0, again.All);
        await AssertVerifiesClean(root);

        ReliabilityFigures.Record("exec-stage disk-full test file system (tmpfs)",
            $"{ExecStageFileSystemBytes / 1024} KiB with {ExecStageFreeLeft / 1024} KiB left free; a stage writing 2048 KiB, "
            + $"then {LinesAfterFull} log lines");
    }
}
