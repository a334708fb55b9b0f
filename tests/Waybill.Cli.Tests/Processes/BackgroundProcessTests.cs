using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Processes;

/// <summary>What a command leaves running when it exits: background jobs, setsid daemons, and hanging tools: commands.</summary>
public sealed class BackgroundProcessTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_background_child_holding_stdout_is_killed_soon_after_the_command_exits()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_bg
                run: |
                  sleep 1000 &
                  echo $! > "$WAYBILL_STAGE_DIR/bg.pid"
                  echo started
            """);
        var pidFile = _temp.Combine("out", "b", "01_bg", "bg.pid");
        try
        {
            var run = await CliRun.RunAsync(_temp.Path, TimeSpan.FromSeconds(60), null, "run", "waybill.yaml", "--job-id", "b");

            Assert.True(run.ExitCode == 0, run.Output);
            Assert.True(run.Elapsed < TimeSpan.FromSeconds(30), $"took {run.Elapsed}");
            Assert.True(await CliRun.EventuallyAsync(() => !CliRun.Alive(Pid(pidFile)), TimeSpan.FromSeconds(20)),
                "the background sleep is still running");
            var manifest = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "b", "01_bg", "manifest.json")))!;
            Assert.Contains(manifest["warnings"]!.AsArray(),
                w => w!["message"]!.GetValue<string>().Contains("kept its output open", StringComparison.Ordinal));
            Assert.Contains("stdout| started", File.ReadAllText(_temp.Combine("out", "b", "01_bg", "stage.log")), StringComparison.Ordinal);
        }
        finally
        {
            KillIfAlive(pidFile);
        }
    }

    [Fact]
    public async Task A_setsid_daemon_a_command_left_behind_is_stopped_when_the_run_ends()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_daemon
                run: |
                  setsid sh -c 'echo $$ > "$WAYBILL_STAGE_DIR/daemon.pid"; exec sleep 1000' > /dev/null 2>&1 < /dev/null &
                  while [ ! -s "$WAYBILL_STAGE_DIR/daemon.pid" ]; do sleep 0.02; done
              - id: 02_after
                after: [01_daemon]
                run: 'true'
            """);
        var pidFile = _temp.Combine("out", "d", "01_daemon", "daemon.pid");
        try
        {
            var run = await CliRun.RunAsync(_temp.Path, TimeSpan.FromSeconds(60), null, "run", "waybill.yaml", "--job-id", "d");

            Assert.True(run.ExitCode == 0, run.Output);
            Assert.True(await CliRun.EventuallyAsync(() => !CliRun.Alive(Pid(pidFile)), TimeSpan.FromSeconds(20)),
                "the setsid daemon outlived the run");
            Assert.Contains("left running outside their own", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            KillIfAlive(pidFile);
        }
    }

    [Fact]
    public async Task A_tools_timeout_that_is_not_a_number_of_seconds_is_named_in_a_warning()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_tool
                tools: { shell: 'echo version 1' }
                run: 'true'
            """);
        var environment = new Dictionary<string, string> { ["WAYBILL_TOOL_TIMEOUT"] = "ten" };

        var run = await CliRun.RunAsync(_temp.Path, TimeSpan.FromSeconds(60), environment, "run", "waybill.yaml", "--job-id", "t");

        Assert.True(run.ExitCode == 0, run.Output);
        var manifest = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "t", "01_tool", "manifest.json")))!;
        Assert.Equal("version 1", manifest["tool_versions"]!["shell"]!.GetValue<string>());
        Assert.Contains(manifest["warnings"]!.AsArray(), w => w!["message"]!.GetValue<string>()
            .StartsWith("WAYBILL_TOOL_TIMEOUT='ten' is not a number of seconds above 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tools_version_command_that_hangs_times_out_with_a_clear_warning()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_tool
                tools: { slowtool: 'echo $$ > tool.pid; exec sleep 1000' }
                run: 'true'
            """);
        var environment = new Dictionary<string, string> { ["WAYBILL_TOOL_TIMEOUT"] = "1" };
        // Version commands run in the engine's working directory.
        var pidFile = _temp.Combine("tool.pid");
        try
        {
            var run = await CliRun.RunAsync(_temp.Path, TimeSpan.FromSeconds(60), environment, "run", "waybill.yaml", "--job-id", "t");

            Assert.True(run.ExitCode == 0, run.Output);
            Assert.True(run.Elapsed < TimeSpan.FromSeconds(30), $"took {run.Elapsed}");
            Assert.Contains("tools.slowtool: version command timed out", run.Output, StringComparison.Ordinal);
            var manifest = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "t", "01_tool", "manifest.json")))!;
            Assert.StartsWith("unknown (timed out after 1 s", manifest["tool_versions"]!["slowtool"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains(manifest["warnings"]!.AsArray(),
                w => w!["message"]!.GetValue<string>().Contains("WAYBILL_TOOL_TIMEOUT", StringComparison.Ordinal));
            Assert.True(await CliRun.EventuallyAsync(() => !CliRun.Alive(Pid(pidFile)), TimeSpan.FromSeconds(20)),
                "the hanging version command is still running");
        }
        finally
        {
            KillIfAlive(pidFile);
        }
    }

    private static int Pid(string file) => int.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);

    private static void KillIfAlive(string pidFile)
    {
        if (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0) return;
        try
        {
            using var process = Process.GetProcessById(Pid(pidFile));
            process.Kill();
        }
        catch (ArgumentException)
        {
            // Gone already.
        }
        catch (InvalidOperationException)
        {
        }
    }
}
