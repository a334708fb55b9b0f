using System.Diagnostics;
using System.Globalization;
using System.Text;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Limits;

/// <summary>
/// Hostile pipeline files (alias bombs, self-reference, deep nesting, huge files) are refused quickly, in little memory,
/// with the position, the limit and how to raise it; by validate and by run alike, and before a job folder exists.
/// </summary>
public sealed class HostilePipelineTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>9 levels of 9 aliases: 606 bytes that expand to 9^9 (387 million) copies of 'lol'.</summary>
    private static string BillionLaughs()
    {
        var yaml = new StringBuilder("config:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 1; level <= 9; level++)
            yaml.Append(CultureInfo.InvariantCulture, $"  a{level}: &a{level} [{string.Join(", ", Enumerable.Repeat($"*a{level - 1}", 9))}]\n");
        return yaml.Append("stages:\n  - id: 01_a\n    run: echo hi\n").ToString();
    }

    private async Task<CliProcess.Result> Refused(params string[] args)
    {
        var result = await CliProcess.RunAsync(_temp.Path, args);
        Assert.True(result.ExitCode == 2, result.All);
        Assert.False(Directory.Exists(_temp.Combine("out")), "a refused pipeline must not create a job folder");
        Assert.DoesNotContain("   at ", result.Stderr);
        return result;
    }

    [Fact]
    public async Task A_billion_laughs_file_is_refused_at_once_in_little_memory()
    {
        _temp.Write("waybill.yaml", BillionLaughs());
        // GNU time reports the child's peak resident set; before the limits this file grew validate to 24 GB.
        var program = CliProcess.Native ?? "dotnet";
        var args = CliProcess.Native is null ? new[] { CliProcess.Dll } : [];
        var clock = Stopwatch.StartNew();
        var info = new ProcessStartInfo("/usr/bin/time")
        {
            WorkingDirectory = _temp.Path, RedirectStandardError = true, RedirectStandardOutput = true,
        };
        foreach (var arg in (string[])["-f", "peak_kb=%M", program, .. args, "validate", "waybill.yaml"]) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        clock.Stop();
        var text = await stderr;

        Assert.True(process.ExitCode == 2, text);
        Assert.Contains("waybill.yaml:2:", text);
        Assert.Contains("more than 100000 values once its aliases are expanded", text);
        Assert.Contains("WAYBILL_MAX_PIPELINE_NODES", text);
        var peakMb = long.Parse(text[(text.LastIndexOf("peak_kb=", StringComparison.Ordinal) + 8)..].Trim(), CultureInfo.InvariantCulture) / 1024;
        Assert.True(peakMb < 300, $"validate peaked at {peakMb} MB");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        ReliabilityFigures.Record("Peak memory of validate refusing a 606-byte billion-laughs file (9^9 expansions)", $"{peakMb} MB");
        await Refused("run", "waybill.yaml", "--job-id", "j");
    }

    [Fact]
    public async Task An_alias_repeating_a_large_env_in_every_stage_counts_against_the_same_budget()
    {
        // 1,000 stages each taking a 200-entry env through one alias: 200,000 values from a 60 KB file.
        var yaml = new StringBuilder("stages:\n");
        yaml.Append("  - id: 0001_s1\n    run: echo hi\n    env: &e {")
            .Append(string.Join(", ", Enumerable.Range(0, 200).Select(i => $"V{i}: x"))).Append("}\n");
        for (var i = 2; i <= 1000; i++) yaml.Append(CultureInfo.InvariantCulture, $"  - {{id: {i:0000}_s{i}, run: echo hi, env: *e}}\n");
        _temp.Write("waybill.yaml", yaml.ToString());
        var validate = await Refused("validate", "waybill.yaml");
        Assert.Contains("the pipeline holds more than 100000 values once its aliases are expanded", validate.Stderr);
    }

    [Fact]
    public async Task A_self_referencing_anchor_is_refused_by_name()
    {
        _temp.Write("waybill.yaml", "config: &c {self: *c}\nstages:\n  - id: 01_a\n    run: echo hi\n");
        var validate = await Refused("validate", "waybill.yaml");
        Assert.Contains("waybill.yaml:1:19: alias *c is used inside the value that anchor &c names, so that value would contain itself",
            validate.Stderr);
        await Refused("run", "waybill.yaml", "--job-id", "j");
    }

    [Fact]
    public async Task An_anchor_reached_again_through_a_nested_alias_is_refused_too()
    {
        _temp.Write("waybill.yaml", "config:\n  outer: &o\n    inner:\n      list: [1, *o]\nstages:\n  - id: 01_a\n    run: echo hi\n");
        var validate = await Refused("validate", "waybill.yaml");
        Assert.Contains("waybill.yaml:4:17: alias *o is used inside the value that anchor &o names", validate.Stderr);
    }

    [Fact]
    public async Task Ten_thousand_levels_of_nesting_are_refused_by_validate_and_run_with_line_and_column()
    {
        const int levels = 10_000;
        _temp.Write("waybill.yaml", "config:\n  v: " + string.Concat(Enumerable.Repeat("{a: ", levels)) + "1" + new string('}', levels)
            + "\nstages:\n  - id: 01_a\n    run: echo hi\n");
        var validate = await Refused("validate", "waybill.yaml");
        var run = await Refused("run", "waybill.yaml", "--job-id", "j");
        foreach (var result in new[] { validate, run })
        {
            // Level 1 is the top mapping, 2 'config', 3 the first '{' at column 6: the 33rd level opens at column 6 + 30 * 4.
            Assert.Contains("waybill.yaml:2:126: the file nests mappings and lists more than 32 levels deep", result.Stderr);
            Assert.Contains("WAYBILL_MAX_PIPELINE_DEPTH", result.Stderr);
        }
        ReliabilityFigures.Record("Nesting refused by validate and run (levels in the hostile file; limit 32)",
            levels.ToString("N0", CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_depth_limit_is_raised_by_its_variable_up_to_its_ceiling()
    {
        _temp.Write("waybill.yaml", "config:\n  v: " + string.Concat(Enumerable.Repeat("[", 38)) + "1" + new string(']', 38)
            + "\nstages:\n  - id: 01_a\n    run: echo hi\n");
        await Refused("validate", "waybill.yaml");
        var raised = await CliProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["WAYBILL_MAX_PIPELINE_DEPTH"] = "40" },
            "validate", "waybill.yaml");
        Assert.True(raised.ExitCode == 0, raised.All);
        var tooHigh = await CliProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["WAYBILL_MAX_PIPELINE_DEPTH"] = "1000" },
            "validate", "waybill.yaml");
        Assert.Equal(2, tooHigh.ExitCode);
        Assert.Contains("WAYBILL_MAX_PIPELINE_DEPTH='1000' is not a whole number from 1 to 56", tooHigh.Stderr);
    }

    [Fact]
    public async Task Config_nested_deep_through_set_is_refused_before_it_reaches_a_manifest()
    {
        _temp.Write("waybill.yaml", "stages:\n  - id: 01_a\n    run: echo hi\n");
        var key = string.Join('.', Enumerable.Range(0, 40).Select(i => "k" + i.ToString(CultureInfo.InvariantCulture)));
        var validate = await Refused("validate", "waybill.yaml", "--set", key + "=1");
        Assert.Contains("config: config nests more than 32 levels deep (at k0.k1.k2", validate.Stderr);
        await Refused("run", "waybill.yaml", "--job-id", "j", "--set", key + "=1");
    }

    [Fact]
    public async Task A_set_key_of_sixty_thousand_names_is_refused_at_once()
    {
        // Built level by level, such a key took 31 s: attaching each JsonNode walks all of its ancestors.
        _temp.Write("waybill.yaml", "stages:\n  - id: 01_a\n    run: echo hi\n");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var validate = await Refused("validate", "waybill.yaml", "--set", string.Join('.', Enumerable.Repeat("k", 60_000)) + "=1");
        Assert.Contains("the key has 60000 names, more than config can nest (56)", validate.Stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_before_it_is_read_and_the_limit_can_be_raised()
    {
        var yaml = "stages:\n  - id: 01_a\n    run: echo hi\nconfig:\n  blob: '" + new string('x', 1_100_000) + "'\n";
        _temp.Write("waybill.yaml", yaml);
        var validate = await Refused("validate", "waybill.yaml");
        Assert.Contains("pipeline file 'waybill.yaml' is 1,100,057 bytes, over the limit of 1,048,576", validate.Stderr);
        Assert.Contains("WAYBILL_MAX_PIPELINE_BYTES", validate.Stderr);
        await Refused("run", "waybill.yaml", "--job-id", "j");
        var raised = await CliProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["WAYBILL_MAX_PIPELINE_BYTES"] = "2000000" },
            "validate", "waybill.yaml");
        Assert.True(raised.ExitCode == 0, raised.All);
        ReliabilityFigures.Record("Pipeline file refused for size (bytes; limit 1 MiB)", "1,100,057");
    }

    [Fact]
    public async Task Too_many_alias_uses_are_refused_with_the_variable_that_raises_the_limit()
    {
        var yaml = "config:\n  one: &one 1\n  many: [" + string.Join(", ", Enumerable.Repeat("*one", 1001))
            + "]\nstages:\n  - id: 01_a\n    run: echo hi\n";
        _temp.Write("waybill.yaml", yaml);
        var validate = await Refused("validate", "waybill.yaml");
        Assert.Contains("the file uses aliases (*name) more than 1000 times", validate.Stderr);
        Assert.Contains("WAYBILL_MAX_PIPELINE_ALIASES", validate.Stderr);
    }

    [Fact]
    public async Task A_yaml_shape_the_yaml_reader_cannot_build_gets_a_syntax_error_not_a_crash()
    {
        // '- : x' (an empty key) made YamlDotNet throw an ArgumentException: exit 70, "a fault in Waybill".
        _temp.Write("waybill.yaml", "stages:\n  - : 01_demux\n    run: x\n");
        var validate = await Refused("validate", "waybill.yaml");
        Assert.Matches(@"error: waybill\.yaml:\d+:\d+: YAML syntax error", validate.Stderr);
    }
}
