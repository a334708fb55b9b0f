using Waybill.Core.Processes;
using Waybill.Tests.Support;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

/// <summary>
/// An absolute command found once is not looked up again before each start; one removed since is still reported as not
/// found, in the words of a lookup, whether the engine or its process spawner starts it.
/// </summary>
public sealed class VanishedExecutableTests : IDisposable
{
    private readonly ProcessSpawner _spawner = ProcessSpawner.Start(SpawnerHost.Command);
    private readonly TempFolder _temp = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _spawner.Dispose();
        _temp.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_command_removed_after_it_ran_is_reported_as_not_found_and_one_put_back_runs_again(bool throughSpawner)
    {
        var tool = _temp.Write("tool.sh", "#!/bin/sh\necho ran\n");
        MakeExecutable(tool);
        var spec = new ProcessSpec(tool, [], _temp.Path, Environment());

        Assert.Equal(["ran"], (await RunAsync(spec, throughSpawner)).Stdout);
        File.Delete(tool);
        var missing = await Assert.ThrowsAsync<ProcessStartException>(() => RunAsync(spec, throughSpawner));
        File.WriteAllText(tool, "#!/bin/sh\necho back\n");
        MakeExecutable(tool);

        Assert.Equal($"Command '{tool}' was not found: '{tool}' does not exist or is not an executable file.", missing.Message);
        Assert.Equal(["back"], (await RunAsync(spec, throughSpawner)).Stdout);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_command_no_longer_executable_is_reported_as_not_found(bool throughSpawner)
    {
        var tool = _temp.Write("tool.sh", "#!/bin/sh\necho ran\n");
        MakeExecutable(tool);
        var spec = new ProcessSpec(tool, [], _temp.Path, Environment());
        await RunAsync(spec, throughSpawner);

        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tool, UnixFileMode.UserRead);
        var missing = await Assert.ThrowsAsync<ProcessStartException>(() => RunAsync(spec, throughSpawner));

        Assert.Contains("does not exist or is not an executable file", missing.Message, StringComparison.Ordinal);
    }

    private async Task<CapturedRun> RunAsync(ProcessSpec spec, bool throughSpawner)
    {
        var stdout = new List<string>();
        var stderr = new List<string>();
        var result = await ChildProcess.RunAsync(spec, stdout.Add, stderr.Add, throughSpawner ? _spawner : null, Token);
        return new CapturedRun(result, stdout, stderr);
    }
}
