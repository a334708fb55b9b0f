using System.Globalization;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

public sealed class ChildProcessResourceUsageTests(ITestOutputHelper output)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reports_cpu_time_of_grandchildren()
    {
        // The loop runs in a shell forked by the child (it prints its own pid); the child itself only waits.
        // The trailing "; true" stops the outer shell from exec'ing the inner one in place.
        const string script = """sh -c 'echo $$; i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'; true""";

        var run = await CaptureAsync(Shell(script), Token);

        var cpu = run.Result.UserCpu + run.Result.SystemCpu;
        output.WriteLine($"user {run.Result.UserCpu.TotalSeconds:F3} s, system {run.Result.SystemCpu.TotalSeconds:F3} s, wall {run.Result.WallTime.TotalSeconds:F3} s");
        Assert.NotEqual(run.Result.ProcessId, int.Parse(run.Stdout[0], CultureInfo.InvariantCulture));
        Assert.True(cpu >= TimeSpan.FromSeconds(0.1), $"CPU time {cpu} should include the busy grandchild");
        Assert.True(run.Result.UserCpu <= run.Result.WallTime + TimeSpan.FromSeconds(0.1), "a single-threaded tree cannot use more CPU than wall time");
    }

    [Fact]
    public async Task Reports_peak_rss_of_grandchildren()
    {
        // Linux seeds a spawned child's peak RSS with this process's own peak, so the grandchild must clearly exceed it.
        // dd fills its whole block from /dev/zero, so all of it becomes resident in the grandchild.
        var blockMiB = Math.Max(150, (HostPeakRssKiB() / 1024) + 100);
        var run = await CaptureAsync(Shell(FormattableString.Invariant($"dd if=/dev/zero of=/dev/null bs={blockMiB}M count=1 2>/dev/null; true")), Token);

        output.WriteLine($"block {blockMiB} MiB, peak RSS {run.Result.PeakRssBytes / (1024.0 * 1024.0):F1} MiB");
        Assert.Equal(0, run.Result.ExitCode);
        Assert.InRange(run.Result.PeakRssBytes, blockMiB * 1024L * 1024, (blockMiB + 100) * 1024L * 1024);
    }

    private static long HostPeakRssKiB()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
