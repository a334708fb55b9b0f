using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Records;

/// <summary>
/// <c>exec-stage</c> on a file system that fills up (an 8 MiB tmpfs the test mounts): like a run, it sets room aside for
/// the stage's failure records, says where space ran out and leaves records that say <c>failed</c>.
/// </summary>
public sealed class ExecStageDiskFullTests : IDisposable
{
    // 8 MiB: the last exec-stage holds the first run's 2 MiB output aside while it writes 2 MiB anew.
    private const long FileSystemBytes = 8 * 1024 * 1024;
    private const long FreeLeft = 1024 * 1024;
    private const int LinesAfterFull = 1000;

    // 02_fill writes 2 MiB, then prints lines the engine must log; the first run has room for it, exec-stage does not.
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
        """;

    private readonly TempFolder _temp = new();
    private readonly Tmpfs _disk;

    public ExecStageDiskFullTests() => _disk = Tmpfs.Mount(_temp.Combine("disk"), FileSystemBytes);

    public void Dispose()
    {
        _disk.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Exec_stage_on_a_full_disk_names_it_records_the_failure_and_runs_once_space_is_freed()
    {
        var root = _disk.Path;
        File.WriteAllText(Path.Combine(root, "waybill.yaml"), Pipeline);
        var job = Path.Combine(root, "out", "j");
        var first = await CliProcess.RunAsync(root, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(first.ExitCode == 0, first.All);
        // Ballast leaves 1 MiB free: room for the reserve, not for the stage's 2 MiB.
        var ballast = Path.Combine(root, "ballast.bin");
        File.WriteAllBytes(ballast, new byte[new DriveInfo(root).AvailableFreeSpace - FreeLeft]);

        var single = await CliProcess.RunAsync(root, "exec-stage", "j", "02_fill");

        Assert.True(single.ExitCode == 1, single.All);
        Assert.Contains($"no space left on {root} (tmpfs", single.Stdout);
        Assert.Contains("then run 'waybill exec-stage j 02_fill' again", single.Stdout);
        var fill = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "02_fill", "manifest.json")))!;
        Assert.Equal("failed", fill["status"]!.GetValue<string>());
        Assert.Contains(fill["errors"]!.AsArray(),
            e => e!["message"]!.GetValue<string>().Contains("No space left on device", StringComparison.Ordinal));
        Assert.Contains($"stdout| {LinesAfterFull}\n", File.ReadAllText(Path.Combine(job, "02_fill", "stage.log")));
        var events = File.ReadAllLines(Path.Combine(job, "logs", "events.jsonl"));
        foreach (var line in events) JsonDocument.Parse(line).Dispose();
        Assert.Contains(events, l => l.Contains($"\"message\":\"stdout| {LinesAfterFull}\"", StringComparison.Ordinal));
        // The job manifest learnt the failure and seals the stage manifest as it now is.
        var jobStage = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "manifest.json")))!["stages"]!.AsArray()
            .First(s => s!["stage_id"]!.GetValue<string>() == "02_fill")!;
        Assert.Equal("failed", jobStage["status"]!.GetValue<string>());
        var afterFailure = await CliProcess.RunAsync(root, "verify", "j", "--json");
        Assert.DoesNotContain(JsonNode.Parse(afterFailure.Stdout)!["findings"]!.AsArray(),
            f => f!["kind"]!.GetValue<string>() is "manifest_changed" or "log_changed" or "events_line_broken" or "missing_manifest");
        Assert.False(File.Exists(Path.Combine(job, ".waybill", "reserve")));
        Assert.False(File.Exists(Path.Combine(job, ".waybill", "reserve.final")));

        File.Delete(ballast);
        var again = await CliProcess.RunAsync(root, "exec-stage", "j", "02_fill");
        Assert.True(again.ExitCode == 0, again.All);
        var verify = await CliProcess.RunAsync(root, "verify", "j");
        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.Contains("0 problems", verify.Stdout);

        ReliabilityFigures.Record("exec-stage disk-full test file system (tmpfs)",
            $"{FileSystemBytes / 1024} KiB with {FreeLeft / 1024} KiB left free; a stage writing 2048 KiB, then {LinesAfterFull} log lines");
    }
}
