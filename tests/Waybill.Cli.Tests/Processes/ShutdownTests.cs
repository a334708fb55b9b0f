using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Processes;

/// <summary>Two termination signals in quick succession, as GNU timeout and supervisors send them.</summary>
public sealed class ShutdownTests : IDisposable
{
    private const int Tries = 8;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Two_quick_SIGTERMs_still_record_the_run_as_cancelled_and_leave_no_child_behind()
    {
        // One command traps TERM and carries on, the other ignores it: only SIGKILL ends them.
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_trap
                run: |
                  trap 'echo TERM >> "$WAYBILL_STAGE_DIR/trapped"' TERM
                  echo $$ > "$WAYBILL_STAGE_DIR/pid"
                  while true; do sleep 0.05; done
              - id: 02_ignore
                run: |
                  trap '' TERM
                  echo $$ > "$WAYBILL_STAGE_DIR/pid"
                  while true; do sleep 0.05; done
            """);
        var survived = 0;
        for (var attempt = 0; attempt < Tries; attempt++)
        {
            var jobId = "t" + attempt.ToString(CultureInfo.InvariantCulture);
            var job = _temp.Combine("out", jobId);
            var pidFiles = new[] { Path.Combine(job, "01_trap", "pid"), Path.Combine(job, "02_ignore", "pid") };
            using var process = CliProcess.Start(_temp.Path, null, "run", "waybill.yaml", "--job-id", jobId, "-j", "2");
            var started = await CliRun.EventuallyAsync(() => pidFiles.All(f => File.Exists(f) && new FileInfo(f).Length > 0),
                TimeSpan.FromSeconds(60));
            Assert.True(started, "the stages never started");
            var shells = pidFiles.Select(f => int.Parse(File.ReadAllText(f).Trim(), CultureInfo.InvariantCulture)).ToList();
            var groups = shells.Select(CliRun.GroupOf).ToList();
            try
            {
                // Both signals from one shell: a few milliseconds apart at most.
                using (var kill = Process.Start("/bin/sh", ["-c", $"kill -TERM {process.Id}; kill -TERM {process.Id}"]))
                    await kill.WaitForExitAsync();
                var finished = await CliRun.WaitAsync(process, TimeSpan.FromSeconds(20));

                Assert.True(finished.ExitCode == 130, $"try {attempt}: exit {finished.ExitCode}: {finished.Output}");
                Assert.Equal("cancelled", Status(Path.Combine(job, "manifest.json")));
                Assert.Equal("cancelled", Status(Path.Combine(job, "01_trap", "manifest.json")));
                Assert.Equal("cancelled", Status(Path.Combine(job, "02_ignore", "manifest.json")));
                foreach (var group in groups)
                {
                    Assert.True(await CliRun.EventuallyAsync(() => CliRun.GroupMembers(group).Count == 0, TimeSpan.FromSeconds(20)),
                        $"try {attempt}: process group {group} is still running");
                }
                Assert.DoesNotContain(shells, CliRun.Alive);
                JobAssert.ManifestsAreValid(job);
                survived++;
            }
            finally
            {
                foreach (var pid in groups.SelectMany(CliRun.GroupMembers).Concat(shells.Where(CliRun.Alive)))
                    try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
            }
        }
        ReliabilityFigures.Record("Double SIGTERM tries that left the run recorded as cancelled and no child running",
            string.Create(CultureInfo.InvariantCulture, $"{survived} of {Tries}"));
    }

    private static string Status(string manifest) => JsonNode.Parse(File.ReadAllText(manifest))!["status"]!.GetValue<string>();
}
