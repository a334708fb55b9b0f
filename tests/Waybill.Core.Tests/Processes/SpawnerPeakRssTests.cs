using System.Globalization;
using Waybill.Core.Processes;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

/// <summary>
/// A command's peak RSS through the spawner is its own even while the engine is far larger, where a command started
/// directly reports at least the engine's peak. Serial: the test grows this process by 350 MiB.
/// </summary>
[Collection(nameof(SerialProcessTestsDefinition))]
public sealed class SpawnerPeakRssTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_command_of_150_mib_reports_its_own_peak_while_the_engine_has_grown_past_350_mib()
    {
        var ballast = new byte[350 * MiB];
        for (var i = 0; i < ballast.Length; i += 4096) ballast[i] = 1;
        var engine = EnginePeakBytes();
        // Started after the engine grew: the spawner's own figure must not be the peak it was exec'd from (the engine's).
        using var spawner = ProcessSpawner.Start(SpawnerHost.Command);
        // dd holds one 150 MiB block, all of it written from /dev/zero, so all of it resident.
        var spec = Shell("dd if=/dev/zero of=/dev/null bs=150M count=1 2>/dev/null");

        var spawned = await ChildProcess.RunAsync(spec, _ => { }, _ => { }, spawner, Token);
        var direct = await ChildProcess.RunAsync(spec, _ => { }, _ => { }, Token);
        GC.KeepAlive(ballast);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"engine {engine / MiB} MiB, spawner {spawner.PeakBytes / MiB} MiB, spawned {spawned.PeakRssBytes / MiB} MiB, direct {direct.PeakRssBytes / MiB} MiB"));
        Assert.InRange(spawned.PeakRssBytes, 150 * MiB, 200 * MiB);
        Assert.False(spawned.PeakRssIsUpperBound);
        Assert.InRange(spawner.PeakBytes, 1, 150 * MiB);
        Assert.True(direct.PeakRssBytes >= 350 * MiB, "a direct child starts from the engine's peak");
    }

    private static long EnginePeakBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
