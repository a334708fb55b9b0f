using System.Globalization;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Core.Processes;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Processes;

/// <summary>The process spawner of a run: it starts the commands, and it goes when the run goes, however it ends.</summary>
public sealed class SpawnerLifetimeTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_killed_run_takes_its_process_spawner_with_it()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_wait
                run: echo $$ > "$WAYBILL_STAGE_DIR/pid"; exec sleep 60
            """);
        var pidFile = _temp.Combine("out", "killed", "01_wait", "pid");
        int command = 0, spawner = 0;
        try
        {
            using (var run = CliProcess.Start(_temp.Path, null, "run", "waybill.yaml", "--job-id", "killed"))
            {
                Assert.True(await CliRun.EventuallyAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), TimeSpan.FromSeconds(60)),
                    "the command never started");
                command = int.Parse(File.ReadAllText(pidFile), CultureInfo.InvariantCulture);
                spawner = ParentOf(command);
                Assert.Equal(run.Id, ParentOf(spawner));
                Assert.Contains(SpawnerServer.Argument, File.ReadAllText($"/proc/{spawner}/cmdline"), StringComparison.Ordinal);

                run.Kill(entireProcessTree: false);
                await run.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            Assert.True(await CliRun.EventuallyAsync(() => !CliRun.Alive(spawner), TimeSpan.FromSeconds(10)), "the spawner outlived its run");
        }
        finally
        {
            // The command itself outlives a killed run, as a directly started one would.
            if (command > 0) _ = LibC.Kill(-command, LibC.SigKill);
        }
    }

    [Fact]
    public async Task Commands_are_started_by_the_spawner_and_report_their_own_peak_above_its_few_megabytes()
    {
        // 40 MB: above the spawner's peak, below the engine's (the engine on the .NET runtime) or near it (native).
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_mid
                run: head -c 40000000 /dev/zero | tail -c 40000000 | wc -c; tr '\0' ' ' < /proc/$PPID/cmdline > "$WAYBILL_STAGE_DIR/parent"
            """);

        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "mid");

        Assert.True(run.ExitCode == 0, run.All);
        var resources = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "mid", "01_mid", "manifest.json")))!["resources"]!;
        Assert.Null(resources["peak_rss_upper_bound"]);
        Assert.InRange(resources["peak_rss_mb"]!.GetValue<double>(), 38, 60);
        Assert.Contains(SpawnerServer.Argument, File.ReadAllText(_temp.Combine("out", "mid", "01_mid", "parent")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_finished_run_reaps_its_spawner_so_the_commands_cpu_time_counts_in_the_run_s()
    {
        // The command burns 0.5 s of CPU; GNU time reports what the run and the children it reaped used. A spawner left to
        // end on its own, after the run, is reaped by no one of the run's, and its commands' time is lost with it.
        _temp.Write("burn.py", """
            import time
            while time.process_time() < 0.5:
                sum(range(1000))
            """);
        _temp.Write("waybill.yaml", $"""
            stages:
              - id: 01_burn
                run: python3 '{_temp.Combine("burn.py")}'
            """);
        var report = _temp.Combine("time.txt");
        var command = $"exec /usr/bin/time -f '%U %S' -o '{report}' {CliProcess.ShellCommand} run waybill.yaml --job-id burn";
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", command])
        {
            WorkingDirectory = _temp.Path, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var run = System.Diagnostics.Process.Start(start)!;
        var output = run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await run.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(run.ExitCode == 0, await output + await errors);

        var cpu = File.ReadAllText(report).Split(' ').Sum(t => double.Parse(t, CultureInfo.InvariantCulture));
        Assert.True(cpu >= 0.45, $"the run's CPU time as GNU time saw it: {cpu} s");
    }

    [Fact]
    public async Task With_two_jobs_commands_run_two_at_a_time_each_slot_s_through_a_spawner_of_its_own()
    {
        // The first two items wait until both have started: they end only if two commands run at once.
        var up = _temp.Combine("up");
        _temp.Write("waybill.yaml", $$"""
            stages:
              - id: 01_item
                foreach: { values: [a, b, c, d, e, f] }
                run: |
                  mkdir -p '{{up}}'; touch '{{up}}/{item.key}'; n=0
                  while [ "$(ls '{{up}}' | wc -l)" -lt 2 ] && [ $n -lt 3000 ]; do sleep 0.01; n=$((n+1)); done
                  [ $n -lt 3000 ] || exit 9
                  echo $PPID > "$WAYBILL_STAGE_DIR/parent"; cut -d' ' -f4 /proc/$PPID/stat > "$WAYBILL_STAGE_DIR/grandparent"
                  tr '\0' ' ' < /proc/$PPID/cmdline > "$WAYBILL_STAGE_DIR/parent_command"
            """);

        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "slots", "--jobs", "2");

        Assert.True(run.ExitCode == 0, run.All);
        string Read(string key, string file) => File.ReadAllText(_temp.Combine("out", "slots", "01_item", key, file)).Trim();
        var keys = new[] { "a", "b", "c", "d", "e", "f" };
        var spawners = keys.Select(k => Read(k, "parent")).Distinct().ToList();
        Assert.Equal(2, spawners.Count);
        Assert.All(keys, k => Assert.Contains(SpawnerServer.Argument, Read(k, "parent_command"), StringComparison.Ordinal));
        // Both spawners are the run's own children.
        var engine = Assert.Single(keys.Select(k => Read(k, "grandparent")).Distinct());
        Assert.DoesNotContain(engine, spawners);
    }

    private static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
    }
}
