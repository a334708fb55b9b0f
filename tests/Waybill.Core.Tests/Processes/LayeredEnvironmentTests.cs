using Waybill.Core.Processes;
using Xunit;
using static Waybill.Core.Tests.Processes.ProcessTestKit;

namespace Waybill.Core.Tests.Processes;

/// <summary>
/// A child's environment as a shared part encoded once and the variables a stage sets over it: it reads as one dictionary,
/// and a child sees exactly that dictionary whichever way it is started.
/// </summary>
public sealed class LayeredEnvironmentTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static SharedEnvironment Shared() => new(new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PATH"] = SystemPath,
        ["HOME"] = "/home/shared",
        ["LANGUAGE"] = "grüß dich",
        ["EMPTY"] = "",
    });

    [Fact]
    public void It_reads_and_enumerates_as_the_shared_variables_with_those_set_over_them()
    {
        var environment = new LayeredEnvironment(Shared());
        environment["HOME"] = "/home/stage";
        environment["WAYBILL_STAGE_ID"] = "02_noop[item-1]";
        environment["HOME"] = "/home/stage-again";

        Assert.Equal(5, environment.Count);
        Assert.True(environment.ShadowsShared);
        Assert.Equal("/home/stage-again", environment["HOME"]);
        Assert.Equal("grüß dich", environment["LANGUAGE"]);
        Assert.True(environment.ContainsKey("EMPTY"));
        Assert.False(environment.TryGetValue("MISSING", out _));
        Assert.Throws<KeyNotFoundException>(() => environment["MISSING"]);
        Assert.Equal(
            ["EMPTY=", "HOME=/home/stage-again", "LANGUAGE=grüß dich", "PATH=" + SystemPath, "WAYBILL_STAGE_ID=02_noop[item-1]"],
            environment.Select(v => v.Key + "=" + v.Value).Order(StringComparer.Ordinal));
        Assert.Equal(environment.Count, environment.Keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("owned spawner")]
    [InlineData("shared spawner")]
    [InlineData("no spawner")]
    public async Task A_child_sees_exactly_the_layered_variables_shadowed_or_not(string how)
    {
        foreach (var shadow in new[] { false, true })
        {
            var environment = new LayeredEnvironment(Shared());
            environment["WAYBILL_ITEM_VALUE"] = "a b=c ä";
            if (shadow) environment["HOME"] = "/home/stage";

            var spec = new ProcessSpec("/usr/bin/env", [], "", environment);
            using var spawner = how == "no spawner" ? null : ProcessSpawner.Start(SpawnerHost.Command, ownerReads: how == "owned spawner");
            try
            {
                var stdout = new List<string>();
                var result = await ChildProcess.RunAsync(spec, stdout.Add, _ => { }, spawner, Token);

                Assert.Equal(0, result.ExitCode);
                Assert.Equal(environment.Select(v => v.Key + "=" + v.Value).Order(StringComparer.Ordinal), stdout.Order(StringComparer.Ordinal));
                Assert.Contains(shadow ? "HOME=/home/stage" : "HOME=/home/shared", stdout);
            }
            finally
            {
                spawner?.Stop(TimeSpan.FromSeconds(10));
            }
        }
    }

    [Fact]
    public async Task An_environment_too_large_for_a_request_is_refused_with_its_exact_size_shadowed_or_not()
    {
        using var spawner = ProcessSpawner.Start(SpawnerHost.Command, ownerReads: true);
        try
        {
            var messages = new List<string>();
            foreach (var shadow in new[] { "HOME", "HUGE" })
            {
                var layered = new LayeredEnvironment(Shared());
                layered[shadow] = new string('x', SpawnerProtocol.MaxBodyBytes);
                var flat = layered.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
                foreach (IReadOnlyDictionary<string, string> environment in new IReadOnlyDictionary<string, string>[] { layered, flat })
                {
                    var spec = new ProcessSpec("/usr/bin/env", [], "", environment);
                    var refused = await Assert.ThrowsAsync<ProcessStartException>(() => ChildProcess.RunAsync(spec, _ => { }, _ => { }, spawner, Token));
                    messages.Add(refused.Message);
                }
            }

            // The same size from the bytes encoded once as from every variable encoded anew; a shadowed variable counts once.
            Assert.Equal(messages[0], messages[1]);
            Assert.Equal(messages[2], messages[3]);
            Assert.NotEqual(messages[0], messages[2]);
            Assert.Contains($"more than the {SpawnerProtocol.MaxBodyBytes} a command may have", messages[0], StringComparison.Ordinal);

            // Quotes, '=' and newlines in values go through as they are.
            var tricky = new LayeredEnvironment(Shared());
            tricky["QUOTED"] = "it's \"said\" = done\nand on";
            var stdout = new List<string>();
            var result = await ChildProcess.RunAsync(new ProcessSpec("/bin/sh", ["-c", "printf '%s|' \"$QUOTED\" \"$LANGUAGE\""], "", tricky),
                stdout.Add, _ => { }, spawner, Token);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(["it's \"said\" = done", "and on|grüß dich|"], stdout);
        }
        finally
        {
            spawner.Stop(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task A_shared_variable_that_holds_a_nul_is_refused_as_any_other_would_be()
    {
        var shared = new SharedEnvironment(new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = SystemPath, ["BAD"] = "a\0b" });
        Assert.False(shared.Valid);
        var spec = new ProcessSpec("/usr/bin/env", [], "", new LayeredEnvironment(shared));
        using var spawner = ProcessSpawner.Start(SpawnerHost.Command, ownerReads: true);
        try
        {
            var failure = await Assert.ThrowsAsync<ArgumentException>(() => ChildProcess.RunAsync(spec, _ => { }, _ => { }, spawner, Token));
            Assert.Contains("'BAD' must not contain NUL", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            spawner.Stop(TimeSpan.FromSeconds(10));
        }
    }
}
