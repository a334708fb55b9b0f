using System.Globalization;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Resources;

/// <summary>
/// What `waybill run` records of a command stage's process tree: CPU time of children and grandchildren, storage bytes,
/// samples over time at the stage's interval (none for a short stage), background processes left behind, and the GPU
/// figures or why there are none.
/// </summary>
public sealed class ResourceSamplingTests : IDisposable
{
    private const string Header = "elapsed_seconds\tcpu_percent\trss_mb\tread_bytes\twrite_bytes\tgpu_percent\tgpu_memory_mb";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<string> Run(string pipeline, params string[] extra)
    {
        _temp.Write("waybill.yaml", pipeline);
        var run = await CliProcess.RunAsync(_temp.Path, ["run", "waybill.yaml", "--job-id", "j", .. extra]);
        Assert.True(run.ExitCode == 0, run.All);
        return _temp.Combine("out", "j");
    }

    private JsonNode Resources(string stage) =>
        JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", stage, "manifest.json")))!["resources"]!;

    private JsonNode Manifest(string stage) => JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", stage, "manifest.json")))!;

    [Fact]
    public async Task The_cpu_time_of_a_child_and_a_grandchild_counts_for_the_stage_and_shows_in_its_samples()
    {
        // The stage's shell starts a child that burns CPU, and a child whose own child (a grandchild) burns CPU; each
        // burner writes its own CPU time (the shell's `times`) when done. They burn for 0.8 s of wall time rather than a
        // fixed count (a fast machine got through 600,000 iterations in under 0.4 s, leaving one sample row), and until
        // they have had 0.3 s of CPU each (utime + stime in /proc, in ticks of 10 ms): on a busy machine 0.8 s of wall
        // time gave a burner less than the 0.1 s checked below. The stage then waits for its second row, so the count
        // of rows does not depend on how late a busy machine's timer ticks.
        _temp.Write("tree.sh", """
            burn='end=$(($(date +%s%N) / 1000000 + 800))
              while :; do
                i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done
                read -r stat < /proc/$$/stat; set -- $stat
                [ $(($(date +%s%N) / 1000000)) -ge $end ] && [ $((${14} + ${15})) -ge 30 ] && break
              done
              times > "$0"'
            sh -c "$burn" child.times &
            sh -c 'sh -c "$1" grandchild.times; echo grandchild done' - "$burn" &
            wait
            ROWS2
            """.Replace("ROWS2", UntilRows(2), StringComparison.Ordinal));
        await Run($"""
            stages:
              - id: 01_tree
                run: sh '{_temp.Combine("tree.sh")}'
                sample_interval: 200ms
            """);
        var resources = Resources("01_tree");
        var child = OwnCpu("child.times");
        var grandchild = OwnCpu("grandchild.times");
        Assert.True(child > 0.1 && grandchild > 0.1, $"{child} {grandchild}");
        // Both burners' own CPU time is in the stage's (ticks of 10 ms on each side).
        var cpu = resources["cpu_seconds"]!.GetValue<double>();
        Assert.True(cpu >= child + grandchild - 0.03, $"{child} + {grandchild}: {resources.ToJsonString()}");
        var rows = Rows("01_tree");
        var shown = string.Join('\n', rows.Select(r => string.Join('\t', r)));
        Assert.Contains(rows, r => double.Parse(r[1], CultureInfo.InvariantCulture) >= 10);
        // rss_mb sums the tree's live processes: every row has memory until the tree has ended. A row taken after that
        // (as the last process exits, or while the engine finishes the stage) has none; a busy machine made one.
        var live = rows.TakeWhile(r => double.Parse(r[2], CultureInfo.InvariantCulture) > 0).Count();
        Assert.True(live >= 2, shown);
        Assert.All(rows.Skip(live), r => Assert.Equal("0.00", r[2]));
    }

    [Fact]
    public async Task A_stage_that_writes_eight_mib_reports_at_least_that_in_write_bytes()
    {
        await Run("""
            stages:
              - id: 01_write
                run: head -c 8388608 /dev/zero > {out.o}
                outputs: { o: big.bin }
            """);
        var resources = Resources("01_write");
        var written = resources["write_bytes"]!.GetValue<long>();
        // The kernel counts a write when the page is dirtied, on file systems with a backing store; tmpfs has none.
        if (FileSystemType(_temp.Path) == "tmpfs") Assert.Equal(0, written);
        else Assert.True(written >= 8388608, resources.ToJsonString());
        // Counted from /proc/<pid>/io and wait4 for a command stage: present, whatever the page cache spared the disk.
        Assert.Equal(System.Text.Json.JsonValueKind.Number, resources["read_bytes"]!.GetValueKind());
    }

    [Fact]
    public async Task Forked_workers_sharing_their_parent_s_pages_are_not_summed_into_the_priced_peak()
    {
        // A parent fills 64 MiB, then forks four workers that share those pages copy-on-write: the tree's RSS sum counts
        // them five times, though the machine holds them once. The workers live until two more rows (the header is not
        // one) are in the samples file, the second surely read after the last fork, rather than for a fixed 1.5 s a busy
        // machine's timer may miss. The pid counter wraps just before the forks (setting the last pid handed out needs root,
        // as the tests do), so the workers have smaller pids than their parent: the samples must count them all the same.
        _temp.Write("fork.py", """
            import os, time
            def rows():
                try:
                    with open("resource_samples.tsv") as f: return max(0, sum(1 for _ in f) - 1)
                except FileNotFoundError: return 0
            def work():
                while not os.path.exists("done"): time.sleep(0.02)
                os._exit(0)
            data = bytearray(64 * 1024 * 1024)
            for i in range(0, len(data), 4096): data[i] = 1
            with open("/proc/sys/kernel/pid_max") as f: pid_max = int(f.read())
            with open("/proc/sys/kernel/ns_last_pid", "w") as f: f.write(str(pid_max - 1))
            pids = [os.fork() or work() for _ in range(4)]
            with open("wrapped", "w") as f: f.write(" ".join(str(pid < os.getpid()) for pid in pids))
            seen, deadline = rows(), time.monotonic() + 30
            while rows() < seen + 2 and time.monotonic() < deadline: time.sleep(0.05)
            open("done", "w").close()
            for pid in pids: os.waitpid(pid, 0)
            """);
        await Run($"""
            stages:
              - id: 01_fork
                run: python3 '{_temp.Combine("fork.py")}'
                sample_interval: 200ms
            """);
        Assert.Equal("True True True True", File.ReadAllText(_temp.Combine("out", "j", "01_fork", "wrapped")));
        var peak = Resources("01_fork")["peak_rss_mb"]!.GetValue<double>();
        var sampledMax = Rows("01_fork").Max(r => double.Parse(r[2], CultureInfo.InvariantCulture));
        Assert.True(peak >= 64, $"{peak}");
        // The tree's sum is in the samples only.
        Assert.True(sampledMax > 4 * 64, $"{sampledMax}");
        Assert.True(peak < 2 * 64 + 32, $"peak {peak}, samples {sampledMax}");
    }

    [Fact]
    public async Task A_three_second_stage_sampled_every_half_second_has_its_rows_and_a_short_stage_has_none()
    {
        await Run("""
            stages:
              - id: 01_slow
                run: sleep 3; ROWS4
                sample_interval: 500ms
              - id: 02_quick
                run: "true"
              - id: 03_off
                run: sleep 1.5
                sample_interval: "off"
            """.Replace("ROWS4", UntilRows(4), StringComparison.Ordinal));
        var samples = Resources("01_slow")["samples"]!;
        Assert.Equal("resource_samples.tsv", samples["file"]!.GetValue<string>());
        Assert.Equal(0.5, samples["interval_seconds"]!.GetValue<double>());
        var lines = File.ReadAllLines(_temp.Combine("out", "j", "01_slow", "resource_samples.tsv"));
        Assert.Equal(Header, lines[0]);
        Assert.Equal(samples["count"]!.GetValue<int>(), lines.Length - 1);
        Assert.True(lines.Length - 1 >= 4, string.Join('\n', lines));
        var elapsed = lines.Skip(1).Select(l => double.Parse(l.Split('\t')[0], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(elapsed.Order(), elapsed);
        Assert.All(lines.Skip(1), l => Assert.Equal(7, l.Split('\t').Length));

        Assert.Null(Resources("02_quick")["samples"]);
        Assert.False(File.Exists(_temp.Combine("out", "j", "02_quick", "resource_samples.tsv")));
        Assert.Null(Resources("03_off")["samples"]);
        Assert.False(File.Exists(_temp.Combine("out", "j", "03_off", "resource_samples.tsv")));
    }

    [Fact]
    public async Task A_stage_that_forks_a_background_child_and_exits_is_flagged_and_the_child_is_ended()
    {
        await Run("""
            stages:
              - id: 01_fork
                run: sleep 300 > /dev/null 2>&1 & echo $! > child.pid; sleep 0.2
            """);
        var manifest = Manifest("01_fork");
        Assert.Equal(1, manifest["resources"]!["leftover_processes"]!.GetValue<int>());
        Assert.Contains(manifest["warnings"]!.AsArray(), w => w!["message"]!.GetValue<string>().Contains(
            "the command exited leaving 1 process of its own running", StringComparison.Ordinal));
        var pid = File.ReadAllText(_temp.Combine("out", "j", "01_fork", "child.pid")).Trim();
        var stat = $"/proc/{pid}/stat";
        // Killed with its group: gone, or (for an instant) a zombie waiting for init; never still sleeping.
        Assert.True(!File.Exists(stat) || !File.ReadAllText(stat).Contains("(sleep) S", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stage_that_asks_for_a_gpu_gets_measured_figures_or_a_reason_never_made_up_ones()
    {
        await Run("""
            stages:
              - id: 01_gpu
                run: sleep 1.3; ROWS2
                gpus: 1
                sample_interval: 500ms
              - id: 02_cpu
                run: ROWS1
                sample_interval: 500ms
            """.Replace("ROWS2", UntilRows(2), StringComparison.Ordinal).Replace("ROWS1", UntilRows(1), StringComparison.Ordinal),
            "--gpus", "1");
        var gpu = Resources("01_gpu")["gpu"]!;
        var rows = Rows("01_gpu");
        Assert.NotEmpty(rows);
        if (Waybill.Core.Processes.ChildProcess.ResolveOnPath("nvidia-smi", Environment.GetEnvironmentVariable("PATH")) is null)
        {
            Assert.False(gpu["available"]!.GetValue<bool>());
            Assert.Contains("nvidia-smi is not on PATH", gpu["reason"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Null(gpu["utilization_percent_mean"]);
            Assert.Null(gpu["memory_used_mb_peak"]);
            Assert.All(rows, r => Assert.Equal(("", ""), (r[5], r[6])));
        }
        else
        {
            Assert.True(gpu["available"]!.GetValue<bool>(), gpu.ToJsonString());
            Assert.Equal("nvidia-smi", gpu["measured_by"]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(gpu["device"]!.GetValue<string>()));
            Assert.NotNull(gpu["memory_used_mb_peak"]);
            Assert.Contains(rows, r => r[6].Length > 0);
        }
        // A stage that asked for no GPU has no gpu object.
        Assert.Null(Resources("02_cpu")["gpu"]);
        Assert.NotEmpty(Rows("02_cpu"));
    }

    [Fact]
    public async Task A_stage_in_a_cgroup_of_its_own_is_measured_from_it_and_without_one_says_how_it_was_measured()
    {
        await Run("""
            stages:
              - id: 01_limited
                run: head -c 4194304 /dev/zero > {out.o}
                memory: 512MiB
                outputs: { o: big.bin }
            """);
        var resources = Resources("01_limited");
        var limit = resources["memory_limit"]!.GetValue<string>();
        if (limit == "cgroup")
        {
            // cgroup v2 delegated here: cpu.stat, memory.peak and io.stat of the stage's own cgroup.
            Assert.Equal("cgroup", resources["measured_by"]!.GetValue<string>());
            Assert.True(resources["peak_rss_mb"]!.GetValue<double>() > 0);
            Assert.Null(resources["peak_rss_upper_bound"]);
            Assert.Null(resources["cgroup_unavailable"]);
        }
        else
        {
            // cgroup v1 (this test machine) or no delegation: no cgroup of its own, the figures are wait4's and say so.
            Assert.Equal("rlimit_as", limit);
            Assert.Equal("process", resources["measured_by"]!.GetValue<string>());
            // Marked unavailable with the reason, not left to be guessed from measured_by.
            var why = resources["cgroup_unavailable"]!.GetValue<string>();
            Assert.False(string.IsNullOrWhiteSpace(why));
            var shown = await CliProcess.RunAsync(_temp.Path, "manifest", "j", "01_limited");
            Assert.Contains($"cgroup: unavailable: {why}", shown.Stdout, StringComparison.Ordinal);
        }
        Assert.NotNull(resources["write_bytes"]);
    }

    [Fact]
    public async Task A_sample_interval_out_of_range_is_refused_at_its_line_with_what_to_write()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_a
                run: "true"
                sample_interval: 10ms
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("sample_interval must be from 100ms to 1h, not '10ms'", run.All, StringComparison.Ordinal);
        Assert.Contains("waybill.yaml:4", run.All, StringComparison.Ordinal);
        Assert.Contains("sample_interval: 500ms", run.All, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("out")) && Directory.EnumerateFileSystemEntries(_temp.Combine("out")).Any());
    }

    /// <summary>
    /// A shell loop that waits until the stage's samples file (in its folder, the command's working directory) holds
    /// <paramref name="rows"/> rows: a stage that must have rows waits for them rather than sleeping for as long as they
    /// take on a quiet machine (a timer on a busy one ticks late). The 30 s bound is a safety net; a stage past it has
    /// fewer rows and the test says so.
    /// </summary>
    private static string UntilRows(int rows) => string.Create(CultureInfo.InvariantCulture,
        $"n=0; while [ $n -lt 600 ] && [ \"$(cat resource_samples.tsv 2>/dev/null | wc -l)\" -le {rows} ]; do sleep 0.05; n=$((n+1)); done");

    /// <summary>The user plus system seconds of a shell's own `times` line.</summary>
    private double OwnCpu(string file)
    {
        var first = File.ReadAllLines(_temp.Combine("out", "j", "01_tree", file))[0].Split(' ');
        return first.Sum(t => double.Parse(t[..t.IndexOf('m', StringComparison.Ordinal)], CultureInfo.InvariantCulture) * 60
            + double.Parse(t[(t.IndexOf('m', StringComparison.Ordinal) + 1)..^1], CultureInfo.InvariantCulture));
    }

    private List<string[]> Rows(string stage)
    {
        var path = _temp.Combine("out", "j", stage, "resource_samples.tsv");
        return File.Exists(path) ? [.. File.ReadAllLines(path).Skip(1).Select(l => l.Split('\t'))] : [];
    }

    private static string FileSystemType(string path)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-f", "-c", "%T", path])
        {
            RedirectStandardOutput = true,
        })!;
        var type = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return type;
    }
}
