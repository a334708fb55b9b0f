using System.Diagnostics;
using System.Globalization;
using Waybill.Core.Execution.Resources.Sampling;
using Waybill.Core.Processes;
using Xunit;

namespace Waybill.Core.Tests.Processes;

/// <summary>
/// The kernel's pid counter wraps at pid_max (32,768 on many machines): a process a command starts after the wrap has a
/// smaller pid than the command's own, and the scans that read only the pids handed out since a command started must
/// still find it. The wrap is made where it is wanted by setting the last pid handed out (needs root, as the tests do).
/// </summary>
[Collection(nameof(SerialProcessTestsDefinition))]
public sealed class PidWrapTests
{
    private const string LastPidFile = "/proc/sys/kernel/ns_last_pid";

    [Fact]
    public async Task A_member_started_after_the_pid_counter_wrapped_is_found_after_its_leader()
    {
        // setsid makes the shell lead a process group of its own; it starts a sleeper only when told to, after the wrap.
        var start = new ProcessStartInfo("setsid", ["sh", "-c", "read line; sleep 60 & echo $!; wait"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        using var leader = Process.Start(start)!;
        try
        {
            var pidMax = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture);
            File.WriteAllText(LastPidFile, (pidMax - 1).ToString(CultureInfo.InvariantCulture));
            leader.StandardInput.WriteLine("go");
            var member = int.Parse(leader.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
            Assert.True(member < leader.Id, $"the counter did not wrap: leader {leader.Id}, member {member}");

            var pids = ProcessGroup.PidsSince([leader.Id]);
            Assert.Contains(member, pids);
            Assert.True(pids.IndexOf(leader.Id) < pids.IndexOf(member), "a parent is read before the child it started");
            Assert.Equal(1, ProcessGroup.LiveMembersBesides(leader.Id, TimeSpan.FromSeconds(1)));

            // The shell prints the pid as it forks; the figures are compared once the child is sleep, not the shell's copy.
            Assert.True(await ProcessTestKit.EventuallyAsync(() => ReadComm(member) == "sleep", TimeSpan.FromSeconds(10)));
            var buffer = new byte[1024];
            var rssPages = ProcStat.Read(leader.Id, buffer)!.Value.RssPages + ProcStat.Read(member, buffer)!.Value.RssPages;
            var tree = ProcessTreeScan.Read([new[] { leader.Id }])[0];
            Assert.Equal(rssPages * Environment.SystemPageSize, tree.RssBytes);
        }
        finally
        {
            // The negative pid signals the whole group: the shell and its sleeper.
            _ = Process.Start("kill", ["-KILL", "--", $"-{leader.Id}"])?.WaitForExit(5000);
            leader.WaitForExit(5000);
        }
    }

    private static string? ReadComm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (IOException) { return null; }
    }
}
