using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Rerun;

/// <summary>One writer per job: a second run is refused while the first lives; a killed run's lock and processes are taken over.</summary>
public sealed class RunLockTests : IDisposable
{
    // The stage waits until the test creates the gate file, so the test decides how long the first run holds the job.
    private const string Pipeline = """
        name: locked
        stages:
          - id: 01_wait
            run: 'while [ ! -f "$GATE" ] && [ -d "$(dirname "$GATE")" ]; do sleep 0.1; done; echo done > {out.done}'
            outputs: { done: done.txt }
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_second_run_is_refused_and_a_killed_runs_lock_and_processes_are_taken_over()
    {
        _temp.Write("waybill.yaml", Pipeline);
        // Commands started directly: through GNU time, the killed run would also leave its peak-RSS report to remove.
        var environment = new Dictionary<string, string> { ["GATE"] = _temp.Combine("gate"), ["WAYBILL_PRECISE_RSS"] = "0" };
        var lockInfo = _temp.Combine("out", "j", ".waybill", "run.lock.json");
        var stageLog = _temp.Combine("out", "j", "01_wait", "stage.log");

        using var first = CliProcess.Start(_temp.Path, environment, "run", "waybill.yaml", "--job-id", "j");
        await WaitUntil(() => File.Exists(lockInfo) && File.Exists(stageLog) && File.ReadAllText(stageLog).Contains("command: ", StringComparison.Ordinal));
        var holder = JsonNode.Parse(File.ReadAllText(lockInfo))!;
        var runId = holder["run_id"]!.GetValue<string>();
        Assert.Equal(first.Id, holder["pid"]!.GetValue<int>());

        var second = await CliProcess.RunAsync(_temp.Path, environment, "run", "waybill.yaml", "--job-id", "j");
        Assert.Equal(4, second.ExitCode);
        Assert.Contains($"job j is in use by waybill run (pid {first.Id} on {Environment.MachineName}, run {runId}", second.Stderr);
        Assert.Contains("Wait for it to finish, or stop it", second.Stderr);

        first.Kill();
        await first.WaitForExitAsync();
        Assert.NotEmpty(ProcessesOfRun(runId)); // the stage's shell lives on after its parent was killed

        // What an atomic write cut short by the kill leaves beside its target; a stranger's temp file is not the run's to remove.
        var leftover = _temp.Write($"out/j/01_wait/.manifest.json.{first.Id}.0badc0de.tmp", "{\"half");
        var foreign = _temp.Write("out/j/01_wait/.manifest.json.1.0badc0de.tmp", "{\"other");

        // The killed run's stage keeps waiting on its own gate; only the resumed run's gate opens.
        var open = new Dictionary<string, string> { ["GATE"] = _temp.Write("open-gate", ""), ["WAYBILL_PRECISE_RSS"] = "0" };
        var resumed = await CliProcess.RunAsync(_temp.Path, open, "resume", "j");
        Assert.True(resumed.ExitCode == 0, resumed.All);
        Assert.Contains($"Took over job j from waybill run (pid {first.Id}", resumed.Stdout);
        Assert.Contains("Stopped 1 process group(s) still running for run " + runId, resumed.Stdout);
        Assert.Empty(ProcessesOfRun(runId));
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(foreign));
        Assert.Contains("Removed 1 temp file(s) of unfinished writes", resumed.Stdout);
        Assert.Equal("done\n", File.ReadAllText(_temp.Combine("out", "j", "01_wait", "done.txt")));
        Assert.False(File.Exists(lockInfo)); // released at the end
        var manifest = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", "01_wait", "manifest.json")))!;
        Assert.Equal("not run before in this job", manifest["reasons"]![0]!.GetValue<string>());
    }

    private static List<int> ProcessesOfRun(string runId)
    {
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains("WAYBILL_RUN_ID=" + runId)) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Exited while we looked.
            }
        }
        return found;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the first run to start its stage");
            await Task.Delay(50);
        }
    }
}
