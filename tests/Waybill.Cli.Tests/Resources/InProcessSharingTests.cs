using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Resources;

/// <summary>
/// In-process (C#, built-in) stages share the engine's process: a figure shared with another stage is marked so in the
/// manifest and in `waybill manifest`, never presented as the stage's own.
/// </summary>
public sealed class InProcessSharingTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// Two copies of 64 MiB started together (copy and checksum take long enough for them to overlap), then a third
    /// alone, after both; <paramref name="preamble"/> goes before the stages (a rate card).
    /// </summary>
    private async Task RunThreeCopiesAsync(string preamble)
    {
        using (var file = File.Create(_temp.Combine("big.bin"))) file.SetLength(64L * 1024 * 1024);
        _temp.Write("waybill.yaml", preamble + """
            stages:
              - id: 01_left
                uses: copy
                inputs: { src: big.bin }
                outputs: { src: left.bin }
              - id: 02_right
                uses: copy
                inputs: { src: big.bin }
                outputs: { src: right.bin }
              - id: 03_alone
                uses: copy
                inputs: { src: 01_left.src }
                outputs: { src: again.bin }
                after: [02_right]
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "2");
        Assert.True(run.ExitCode == 0, run.All);
    }

    [Fact]
    public async Task Two_csharp_stages_in_parallel_are_both_marked_shared_and_one_that_ran_alone_only_for_its_peak()
    {
        await RunThreeCopiesAsync("");

        string[] Shared(string stage) => [.. JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", stage, "manifest.json")))!
            ["resources"]!["shared"]!.AsArray().Select(n => n!.GetValue<string>())];
        Assert.Equal(["cpu", "peak_rss"], Shared("01_left"));
        Assert.Equal(["cpu", "peak_rss"], Shared("02_right"));
        Assert.Equal(["peak_rss"], Shared("03_alone"));

        var shown = await CliProcess.RunAsync(_temp.Path, "manifest", "j", "01_left");
        Assert.Contains("s shared with other stages (user", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains("MB (the engine's, shared)", shown.Stdout, StringComparison.Ordinal);
        var code = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", "01_left", "manifest.json")))!["resources"]!["code_cpu_seconds"]!;
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"stage's own code: cpu {code.GetValue<double>():0.###}s"),
            shown.Stdout, StringComparison.Ordinal);
        var alone = await CliProcess.RunAsync(_temp.Path, "manifest", "j", "03_alone");
        Assert.DoesNotContain("shared with other stages", alone.Stdout, StringComparison.Ordinal);
        Assert.Contains("MB (the engine's, shared)", alone.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Figures_shared_with_the_engine_are_not_priced_as_each_csharp_stage_s_own()
    {
        await RunThreeCopiesAsync("""
            cost:
              rates:
                cpu_hour: 36
                memory_gb_hour: 2

            """);

        JsonNode Manifest(string stage) => JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", stage, "manifest.json")))!;
        string[] Units(string stage) => [.. Manifest(stage)["cost"]!["lines"]!.AsArray().Select(l => l!["unit"]!.GetValue<string>())];
        // Side by side, both stages' CPU and peak are the engine's: neither is billed them.
        Assert.Empty(Units("01_left"));
        Assert.Empty(Units("02_right"));
        Assert.Equal(0, Manifest("01_left")["cost"]!["total"]!.GetValue<double>());
        // Alone, the CPU time is the stage's own (plus the engine's bookkeeping for it); the peak is still the engine's.
        Assert.Equal(["cpu_hour"], Units("03_alone"));
        Assert.True(Manifest("03_alone")["resources"]!["cpu_seconds"]!.GetValue<double>() > 0);
    }

    [Fact]
    public async Task A_command_stage_s_figures_are_its_own_and_carry_no_shared_mark()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_a
                run: echo a > {out.o}
                outputs: { o: a.txt }
              - id: 02_b
                run: echo b > {out.o}
                outputs: { o: b.txt }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--jobs", "2");
        Assert.True(run.ExitCode == 0, run.All);
        foreach (var stage in new[] { "01_a", "02_b" })
        {
            var resources = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", stage, "manifest.json")))!["resources"]!;
            Assert.Null(resources["shared"]);
            Assert.Equal("process", resources["measured_by"]!.GetValue<string>());
        }
    }
}
