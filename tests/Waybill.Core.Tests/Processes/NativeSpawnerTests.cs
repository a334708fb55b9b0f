using System.Globalization;
using Waybill.Core.Processes;
using Waybill.Tests.Support;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

/// <summary>
/// What a child gets and what a failed start reports, from this test program as spawner (posix_spawn) and from the native
/// spawner the build publishes beside the native waybill (on x64 it starts children through clone3 instead): the same.
/// </summary>
public sealed class NativeSpawnerTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string NativeSpawner => Path.Combine(RepositoryRoot.Required, ".build", "cli", "waybill-spawner");

    /// <summary>The test host always; the native spawner where the build made one (scripts/setup.sh does, with a C toolchain).</summary>
    public static TheoryData<string> Spawners => File.Exists(NativeSpawner) ? ["test host", "native"] : ["test host"];

    public void Dispose() => _temp.Dispose();

    private static ProcessSpawner Start(string spawner, bool ownerReads) =>
        ProcessSpawner.Start(spawner == "native" ? [NativeSpawner, SpawnerServer.Argument] : SpawnerHost.Command, ownerReads);

    [Theory]
    [MemberData(nameof(Spawners))]
    public async Task A_child_gets_its_arguments_environment_folder_group_empty_input_and_default_signals(string which)
    {
        var environment = Environment();
        environment["GREETING"] = "grüß dich";
        const string script = "echo \"$1|$GREETING|$(pwd)\"; cat; ps -o pgid= -p $$ | tr -d ' '; echo $$; "
            + "grep -E '^Sig(Blk|Ign):' /proc/self/status; exit 3";
        var spec = new ProcessSpec("/bin/sh", ["-c", script, "sh", "a 'b' ä"], _temp.Path, environment);
        foreach (var ownerReads in new[] { false, true })
        {
            var spawner = Start(which, ownerReads);
            try
            {
                var stdout = new List<string>();
                var result = await ChildProcess.RunAsync(spec, stdout.Add, _ => { }, spawner, Token);

                Assert.Equal(3, result.ExitCode);
                Assert.Equal($"a 'b' ä|grüß dich|{_temp.Path}", stdout[0]);
                // Its own process group (the group id is its pid); nothing read from standard input.
                Assert.Equal(stdout[2], stdout[1]);
                Assert.Equal(result.ProcessId.ToString(CultureInfo.InvariantCulture), stdout[2]);
                Assert.Equal("SigBlk:\t0000000000000000", stdout[3]);
                // The spawner ignores SIGPIPE; its children must not.
                var ignored = ulong.Parse(stdout[4]["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                Assert.Equal(0UL, ignored & (1UL << (13 - 1)));
                Assert.Equal(5, stdout.Count);
            }
            finally
            {
                spawner.Stop(TimeSpan.FromSeconds(10));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Spawners))]
    public async Task A_missing_folder_or_interpreter_is_reported_and_the_spawner_goes_on(string which)
    {
        var spawner = Start(which, ownerReads: true);
        try
        {
            var folder = await Assert.ThrowsAsync<ProcessStartException>(() =>
                ChildProcess.RunAsync(Shell("true", _temp.Combine("missing")), _ => { }, _ => { }, spawner, Token));
            Assert.Contains($"working directory '{_temp.Combine("missing")}' is not accessible", folder.Message, StringComparison.Ordinal);

            // Executable, but its interpreter is missing: only the exec in the child finds that out.
            var program = _temp.Combine("no-interpreter");
            File.WriteAllText(program, "#!/no/such/interpreter\n");
            MakeExecutable(program);
            var exec = await Assert.ThrowsAsync<ProcessStartException>(() =>
                ChildProcess.RunAsync(new ProcessSpec(program, [], _temp.Path, Environment()), _ => { }, _ => { }, spawner, Token));
            Assert.Contains($"Failed to start '{program}': No such file or directory (errno 2)", exec.Message, StringComparison.Ordinal);

            var after = await ChildProcess.RunAsync(Shell("exit 4"), _ => { }, _ => { }, spawner, Token);
            Assert.Equal(4, after.ExitCode);
        }
        finally
        {
            spawner.Stop(TimeSpan.FromSeconds(10));
        }
    }
}
