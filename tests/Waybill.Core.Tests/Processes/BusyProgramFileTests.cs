using System.Diagnostics;
using System.Runtime.InteropServices;
using Waybill.Core.Processes;
using Waybill.Tests.Support;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

/// <summary>
/// A program file some process still holds open for writing cannot be started ("Text file busy"): a child this process
/// started holds a copy of every descriptor it had open until that child starts its own program. A start tries it again.
/// </summary>
public sealed class BusyProgramFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_program_file_busy_at_the_first_start_is_started_once_it_is_free()
    {
        var tool = Tool();
        using var holder = Hold(tool);
        var waits = 0;

        var error = Start(tool, () =>
        {
            waits++;
            holder.StandardInput.Close();
            holder.WaitForExit();
        }, out var pid);

        Assert.Equal(0, error);
        Assert.Equal(1, waits);
        Assert.Equal(0, ExitCode(pid));
    }

    [Fact]
    public void A_program_file_that_stays_busy_is_reported_as_busy_after_a_few_tries()
    {
        var tool = Tool();
        using var holder = Hold(tool);
        var waits = 0;

        var error = Start(tool, () => waits++, out _);
        holder.StandardInput.Close();
        holder.WaitForExit();

        Assert.Equal(LibC.Etxtbsy, error);
        Assert.Equal(4, waits);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_command_whose_file_stays_busy_fails_to_start_with_what_holds_it_and_what_to_do(bool throughSpawner)
    {
        var tool = Tool();
        using var holder = Hold(tool);
        using var spawner = throughSpawner ? ProcessSpawner.Start(SpawnerHost.Command) : null;

        var failure = await Assert.ThrowsAsync<ProcessStartException>(() => ChildProcess.RunAsync(
            new ProcessSpec(tool, [], _temp.Path, Environment()), _ => { }, _ => { }, spawner, TestContext.Current.CancellationToken));
        holder.StandardInput.Close();
        holder.WaitForExit();

        Assert.Equal($"Failed to start '{tool}': Text file busy (errno 26): a process still has it open for writing; "
            + "let whatever writes it finish and close it before it is run.", failure.Message);
    }

    private string Tool()
    {
        var tool = _temp.Write("tool.sh", "#!/bin/sh\nexit 0\n");
        MakeExecutable(tool);
        return tool;
    }

    /// <summary>A process holding <paramref name="path"/> open for writing until its input is closed.</summary>
    private static Process Hold(string path)
    {
        var info = new ProcessStartInfo("/bin/sh", ["-c", "exec 3>>\"$1\"; echo held; read _", "sh", path])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        var holder = Process.Start(info)!;
        Assert.Equal("held", holder.StandardOutput.ReadLine());
        return holder;
    }

    private static unsafe int Start(string tool, Action whileBusy, out int pid)
    {
        var block = NativeArguments.Build(tool, new ProcessSpec(tool, [], "", Environment()), out var path, out _, out var argv, out var envp);
        try
        {
            return PosixSpawn.Start(path, argv, envp, null, [], [], out pid, whileBusy);
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }

    private static unsafe int ExitCode(int pid)
    {
        int status;
        Assert.Equal(pid, LibC.Wait4(pid, &status, 0, null));
        return (status >> 8) & 0xff;
    }
}
