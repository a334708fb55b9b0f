using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.FanOut;

/// <summary>
/// SIGKILL in the middle of a static fan-out, then <c>waybill resume</c>: the items that finished are not run again,
/// the rest are. The kill lands at a known point: item i4 waits for a file the test creates only after the kill.
/// </summary>
public sealed class FanOutCrashResumeTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Pipeline = """
        stages:
          - id: 01_a
            foreach: { values: [i1, i2, i3, i4] }
            run: |
              if [ {item.key} = i4 ]; then
                n=0; while [ ! -e ../../../../release ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n+1)); done
              fi
              echo {item.value} > {out.x}
            outputs: { x: x.txt }
          - id: 02_b
            inputs: { x: 01_a.x }
            run: cat {in.x} {in.x} > {out.y}
            outputs: { y: y.txt }
          - id: 03_all
            inputs: { all: 02_b.y[*] }
            run: cat {in.all} > {out.z}
            outputs: { z: z.txt }
        """;

    private static readonly string[] FreeChains = ["02_b/i1", "02_b/i2", "02_b/i3"];
    private static readonly string[] Finished = ["01_a/i1", "01_a/i2", "01_a/i3", "02_b/i1", "02_b/i2", "02_b/i3"];

    private string Job(params string[] parts) => _temp.Combine(["out", "j", .. parts]);

    private bool Succeeded(string stageFolder) =>
        File.Exists(Job(stageFolder, "manifest.json"))
        && JsonNode.Parse(File.ReadAllText(Job(stageFolder, "manifest.json")))!["status"]!.GetValue<string>() == "success";

    [Fact]
    public async Task A_fan_out_killed_mid_run_resumes_only_the_items_that_had_not_finished()
    {
        _temp.Write("waybill.yaml", Pipeline);
        using (var run = CliProcess.Start(_temp.Path, null, "run", "waybill.yaml", "--job-id", "j", "--jobs", "2"))
        {
            // Wait (bounded) for the three free chains; i4 is held until 'release' exists.
            for (var i = 0; i < 1200 && !FreeChains.All(Succeeded); i++) await Task.Delay(50);
            Assert.False(run.HasExited, "the run ended before the kill: i4 did not wait");
            run.Kill(); // SIGKILL
            await run.WaitForExitAsync();
        }
        Assert.True(Finished.All(Succeeded));
        Assert.False(Succeeded("01_a/i4"));
        var logBefore = File.ReadAllText(Job("01_a", "i1", "stage.log"));
        _temp.Write("release", "");

        var status = await CliProcess.RunAsync(_temp.Path, "status", "j");
        Assert.Contains("INTERRUPTED", status.Stdout);
        var resume = await CliProcess.RunAsync(_temp.Path, "resume", "j", "--jobs", "2", "--explain");
        Assert.True(resume.ExitCode == 0, resume.All);
        var stages = JsonNode.Parse(File.ReadAllText(Job("manifest.json")))!["stages"]!.AsArray()
            .ToDictionary(s => s!["stage_id"]!.GetValue<string>(), s => s!["status"]!.GetValue<string>());
        foreach (var done in new[] { "01_a[i1]", "01_a[i2]", "01_a[i3]", "02_b[i1]", "02_b[i2]", "02_b[i3]" })
        {
            Assert.Equal("skipped", stages[done]);
            Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(done)}\s+up to date", resume.Stdout);
        }
        Assert.Equal(("success", "success", "success"), (stages["01_a[i4]"], stages["02_b[i4]"], stages["03_all"]));
        Assert.Equal("i1\ni1\ni2\ni2\ni3\ni3\ni4\ni4\n", File.ReadAllText(Job("03_all", "z.txt")));
        Assert.DoesNotContain("attempt 2", File.ReadAllText(Job("01_a", "i1", "stage.log"))[logBefore.Length..]);
        JobAssert.ManifestsAreValid(Job());
        var verify = await CliProcess.RunAsync(_temp.Path, "verify", "j");
        Assert.True(verify.ExitCode == 0, verify.All);
    }
}
