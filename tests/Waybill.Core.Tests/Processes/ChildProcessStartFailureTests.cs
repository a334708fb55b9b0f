using Waybill.Core.Processes;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

public sealed class ChildProcessStartFailureTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Throws_ProcessStartException_naming_a_missing_command_and_the_PATH_searched()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = "/usr/bin:/bin" };

        var exception = await Assert.ThrowsAsync<ProcessStartException>(
            () => ChildProcess.RunAsync(new ProcessSpec("waybill-no-such-command", [], "", environment), _ => { }, _ => { }, Token));

        Assert.Contains("waybill-no-such-command", exception.Message, StringComparison.Ordinal);
        Assert.Contains("PATH", exception.Message, StringComparison.Ordinal);
        Assert.Contains("/usr/bin:/bin", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throws_ProcessStartException_for_a_missing_absolute_path()
    {
        var exception = await Assert.ThrowsAsync<ProcessStartException>(
            () => ChildProcess.RunAsync(new ProcessSpec("/nonexistent/tool", [], "", Environment()), _ => { }, _ => { }, Token));

        Assert.Contains("/nonexistent/tool", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throws_ProcessStartException_naming_a_missing_working_directory()
    {
        var exception = await Assert.ThrowsAsync<ProcessStartException>(
            () => ChildProcess.RunAsync(new ProcessSpec("/bin/true", [], "/nonexistent/waybill dir", Environment()), _ => { }, _ => { }, Token));

        Assert.Contains("/nonexistent/waybill dir", exception.Message, StringComparison.Ordinal);
        Assert.Contains("No such file or directory", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throws_ProcessStartException_with_the_errno_text_when_exec_fails()
    {
        var directory = Directory.CreateTempSubdirectory("waybill-exec-");
        try
        {
            var bogus = Path.Combine(directory.FullName, "not-a-program");
            await File.WriteAllBytesAsync(bogus, [0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0], Token);
            MakeExecutable(bogus);

            var exception = await Assert.ThrowsAsync<ProcessStartException>(
                () => ChildProcess.RunAsync(new ProcessSpec(bogus, [], "", Environment()), _ => { }, _ => { }, Token));

            Assert.Contains("Exec format error", exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Rejects_NUL_characters_in_arguments()
    {
        await Assert.ThrowsAsync<ArgumentException>(
            () => ChildProcess.RunAsync(new ProcessSpec("/bin/echo", ["a\0b"], "", Environment()), _ => { }, _ => { }, Token));
    }

    [Fact]
    public void ResolveOnPath_finds_the_first_executable_match_and_skips_directories_and_plain_files()
    {
        var directory = Directory.CreateTempSubdirectory("waybill-resolve-");
        try
        {
            var first = Directory.CreateDirectory(Path.Combine(directory.FullName, "first")).FullName;
            var second = Directory.CreateDirectory(Path.Combine(directory.FullName, "second")).FullName;
            var third = Directory.CreateDirectory(Path.Combine(directory.FullName, "third")).FullName;
            Directory.CreateDirectory(Path.Combine(first, "tool"));
            File.WriteAllText(Path.Combine(second, "tool"), "not executable");
            File.WriteAllText(Path.Combine(third, "tool"), "#!/bin/sh\n");
            MakeExecutable(Path.Combine(third, "tool"));

            Assert.Equal(Path.Combine(third, "tool"), ChildProcess.ResolveOnPath("tool", $"{first}:{second}:{third}"));
            Assert.Null(ChildProcess.ResolveOnPath("tool", $"{first}:{second}"));
            Assert.Null(ChildProcess.ResolveOnPath("tool", null));
            Assert.Equal("/bin/sh", ChildProcess.ResolveOnPath("sh", "/nonexistent:/bin"));
            Assert.Equal("/bin/sh", ChildProcess.ResolveOnPath("/bin/sh", null));
            Assert.Null(ChildProcess.ResolveOnPath(Path.Combine(second, "tool"), "/bin"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
