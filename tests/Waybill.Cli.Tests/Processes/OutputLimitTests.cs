using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Processes;

/// <summary>Hostile output from a command: memory stays bounded, the logs follow the size policy, events.jsonl stays JSON.</summary>
public sealed class OutputLimitTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    // The CLI with its runtime takes well under this; reading a 128 MiB line whole took several times more.
    private const long PeakRssBoundKiB = 320 * 1024;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("5G")]
    [InlineData("sixteen")]
    public async Task An_output_limit_that_is_not_a_size_up_to_1G_fails_the_stage_saying_what_to_write(string setting)
    {
        _temp.Write("waybill.yaml", $$"""
            stages:
              - id: 01_talk
                env: { WAYBILL_OUTPUT_LIMIT: '{{setting}}' }
                run: echo hello
            """);

        var run = await CliRun.RunAsync(_temp.Path, TimeSpan.FromMinutes(1), null, "run", "waybill.yaml", "--job-id", "o");

        Assert.True(run.ExitCode != 0, run.Output);
        var manifest = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "o", "01_talk", "manifest.json")))!;
        Assert.Equal("failed", manifest["status"]!.GetValue<string>());
        Assert.Contains(manifest["errors"]!.AsArray(), e => e!["message"]!.GetValue<string>()
            .Contains($"WAYBILL_OUTPUT_LIMIT='{setting}' (stage 01_talk) is not a size of at most 1G", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_128_MiB_line_without_newline_is_cut_at_1_MiB_with_bounded_memory_and_a_warning()
    {
        const long size = 128 * MiB;
        _temp.Write("waybill.yaml", $$"""
            stages:
              - id: 01_line
                run: head -c {{size}} /dev/zero | tr '\0' x
            """);
        var run = await CliRun.MeasuredAsync(_temp.Path, TimeSpan.FromMinutes(2), null, "run", "waybill.yaml", "--job-id", "l");

        Assert.True(run.ExitCode == 0, run.Output);
        var stage = _temp.Combine("out", "l", "01_line");
        var log = File.ReadAllText(Path.Combine(stage, "stage.log"));
        Assert.Contains($"[line truncated: {size - (1 << 20)} bytes dropped]", log, StringComparison.Ordinal);
        Assert.InRange(new FileInfo(Path.Combine(stage, "stage.log")).Length, 1 * MiB, 2 * MiB);
        var events = _temp.Combine("out", "l", "logs", "events.jsonl");
        Assert.InRange(new FileInfo(events).Length, 1 * MiB, 3 * MiB);
        EveryLineIsJson(events);
        Assert.Contains(Warnings(stage), w => w.Contains("stdout truncated in the logs", StringComparison.Ordinal)
            && w.Contains("1 lines longer than 1048576 bytes cut", StringComparison.Ordinal));
        Assert.True(run.PeakRssKiB < PeakRssBoundKiB, $"peak RSS {run.PeakRssKiB} KiB");
        ReliabilityFigures.Record("Peak RSS of the CLI for a 128 MiB output line without newline",
            string.Create(CultureInfo.InvariantCulture,
                $"{run.PeakRssKiB / 1024} MiB (line cut at 1 MiB, stage.log {new FileInfo(Path.Combine(stage, "stage.log")).Length / 1024} KiB)"));
    }

    [Fact]
    public async Task Lots_of_output_keeps_the_head_and_the_tail_within_the_stage_limit_and_says_what_was_dropped()
    {
        const long size = 128 * MiB;
        // 64-byte lines; the stage keeps 1 MiB of each end (WAYBILL_OUTPUT_LIMIT in its env:).
        _temp.Write("waybill.yaml", $$"""
            stages:
              - id: 01_lots
                env: { WAYBILL_OUTPUT_LIMIT: 1M }
                run: yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde | head -c {{size}}; echo the-last-line
            """);
        var run = await CliRun.MeasuredAsync(_temp.Path, TimeSpan.FromMinutes(2), null, "run", "waybill.yaml", "--job-id", "m");

        Assert.True(run.ExitCode == 0, run.Output);
        var stage = _temp.Combine("out", "m", "01_lots");
        var stageLog = Path.Combine(stage, "stage.log");
        var lines = File.ReadAllLines(stageLog);
        var kept = lines.Count(l => l.EndsWith("| 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", StringComparison.Ordinal));
        // 1 MiB of 63-byte lines at each end, and never more lines than one per 64 bytes of the budget.
        Assert.InRange(kept, 2 * 16_000, 2 * 16_384);
        Assert.Contains(lines, l => l.Contains("[output truncated: ", StringComparison.Ordinal)
            && l.Contains(" lines dropped here", StringComparison.Ordinal));
        Assert.EndsWith("stdout| the-last-line", lines.Last(l => l.Contains("stdout| ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.True(new FileInfo(stageLog).Length < 6 * MiB, $"stage.log is {new FileInfo(stageLog).Length} bytes");
        var events = _temp.Combine("out", "m", "logs", "events.jsonl");
        Assert.True(new FileInfo(events).Length < 10 * MiB, $"events.jsonl is {new FileInfo(events).Length} bytes");
        EveryLineIsJson(events);
        var warning = Assert.Single(Warnings(stage), w => w.Contains("stdout truncated in the logs", StringComparison.Ordinal));
        Assert.Contains($"{size + "the-last-line\n".Length} bytes in {size / 64 + 1} lines written", warning, StringComparison.Ordinal);
        Assert.True(run.PeakRssKiB < PeakRssBoundKiB, $"peak RSS {run.PeakRssKiB} KiB");
        ReliabilityFigures.Record("Output kept of a stage writing 128 MiB in 64-byte lines with a 1 MiB limit",
            string.Create(CultureInfo.InvariantCulture, $"stage.log {new FileInfo(stageLog).Length / 1024} KiB, "
                + $"events.jsonl {new FileInfo(events).Length / 1024} KiB, peak RSS {run.PeakRssKiB / 1024} MiB"));
    }

    private static void EveryLineIsJson(string path)
    {
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            try
            {
                using var _ = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                Assert.Fail($"events.jsonl line {number} is not JSON ({e.Message}): {line[..Math.Min(line.Length, 200)]}");
            }
        }
        Assert.True(number > 0);
    }

    private static List<string> Warnings(string stage) =>
        [.. JsonNode.Parse(File.ReadAllText(Path.Combine(stage, "manifest.json")))!["warnings"]!.AsArray()
            .Select(w => w!["message"]!.GetValue<string>())];
}
