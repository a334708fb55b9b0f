using System.Diagnostics;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests;

public sealed class SchedulingTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// A diamond whose two branches each wait before writing their output. With <paramref name="meet"/> each waits
    /// until the other has started, so with two jobs they overlap however long a busy machine takes to start the second
    /// (a fixed 0.6 s sleep did not promise that; the 30 s bound is only a safety net). Without, a short sleep is enough.
    /// </summary>
    private static string Diamond(bool meet)
    {
        static string Wait(string other, bool meet) => meet
            ? $"n=0; while [ $n -lt 600 ] && [ ! -e ../../../{other}.on ]; do sleep 0.05; n=$((n+1)); done"
            : "sleep 0.6";
        return $$"""
            stages:
              - id: 01_root
                run: echo root > {out.r}
                outputs: { r: r.txt }
              - id: 02_left
                inputs: { r: 01_root.r }
                run: touch ../../../02_left.on; {{Wait("03_right", meet)}}; cat {in.r} > {out.l}
                outputs: { l: l.txt }
              - id: 03_right
                inputs: { r: 01_root.r }
                run: touch ../../../03_right.on; {{Wait("02_left", meet)}}; cat {in.r} > {out.x}
                outputs: { x: x.txt }
              - id: 04_join
                uses: concat
                inputs: { l: 02_left.l, x: 03_right.x }
                outputs: { both: both.txt }
            """;
    }

    private static (DateTimeOffset Start, DateTimeOffset End) Interval(string job, string stage)
    {
        var m = JsonNode.Parse(File.ReadAllText(Path.Combine(job, stage, "manifest.json")))!;
        return (m["started_utc"]!.GetValue<DateTimeOffset>(), m["finished_utc"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Independent_stages_overlap_with_two_jobs_and_never_with_one()
    {
        _temp.Write("parallel.yaml", Diamond(meet: true));
        _temp.Write("serial.yaml", Diamond(meet: false));
        var parallel = await CliProcess.RunAsync(_temp.Path, "run", "parallel.yaml", "--job-id", "p", "--jobs", "2");
        var serial = await CliProcess.RunAsync(_temp.Path, "run", "serial.yaml", "--job-id", "s", "--jobs", "1");
        Assert.True(parallel.ExitCode == 0, parallel.All);
        Assert.True(serial.ExitCode == 0, serial.All);

        var (l1, r1) = (Interval(_temp.Combine("out", "p"), "02_left"), Interval(_temp.Combine("out", "p"), "03_right"));
        Assert.True(l1.Start < r1.End && r1.Start < l1.End, "with --jobs 2 the two branches run at the same time");
        var (l2, r2) = (Interval(_temp.Combine("out", "s"), "02_left"), Interval(_temp.Combine("out", "s"), "03_right"));
        Assert.True(l2.End <= r2.Start || r2.End <= l2.Start, "with --jobs 1 stages never overlap");

        // Dependencies are respected either way: the join starts after both branches end.
        var join = Interval(_temp.Combine("out", "p"), "04_join");
        Assert.True(join.Start >= l1.End && join.Start >= r1.End);
        Assert.Equal("root\nroot\n", File.ReadAllText(_temp.Combine("out", "p", "04_join", "both.txt")));
    }

    [Fact]
    public async Task A_termination_signal_cancels_running_stages_ends_their_processes_and_records_cancelled()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_slow
                run: echo $$ > {stage.dir}/pid; sleep 60 & echo $! >> {stage.dir}/pid; wait
              - id: 02_next
                after: [01_slow]
                run: 'true'
            """);
        using var process = CliProcess.Start(_temp.Path, null, "run", "waybill.yaml", "--job-id", "c");
        var pidFile = _temp.Combine("out", "c", "01_slow", "pid");
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(pidFile) && File.ReadAllLines(pidFile).Length == 2) && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50);
        Assert.True(File.Exists(pidFile), "the slow stage never started");

        // SIGTERM takes the same path as Ctrl-C (SIGINT); SIGINT itself is ignored by processes started in the background.
        Assert.Equal(0, Kill(process.Id, "TERM"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        Assert.Equal(130, process.ExitCode);

        var job = _temp.Combine("out", "c");
        Assert.Equal("cancelled", JsonNode.Parse(File.ReadAllText(Path.Combine(job, "01_slow", "manifest.json")))!["status"]!.GetValue<string>());
        Assert.Equal("cancelled", JsonNode.Parse(File.ReadAllText(Path.Combine(job, "02_next", "manifest.json")))!["status"]!.GetValue<string>());
        Assert.Equal("cancelled", JsonNode.Parse(File.ReadAllText(Path.Combine(job, "manifest.json")))!["status"]!.GetValue<string>());
        foreach (var pid in File.ReadAllLines(pidFile).Select(int.Parse))
            Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), $"process {pid} is still alive");
        JobAssert.ManifestsAreValid(job);
    }

    private static int Kill(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        return kill.ExitCode;
    }
}
