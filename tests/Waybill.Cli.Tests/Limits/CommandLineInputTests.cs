using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Limits;

/// <summary>Job ids and --set keys from the command line: control characters, a leading '-' and malformed keys are refused by name.</summary>
public sealed class CommandLineInputTests : IDisposable
{
    private const string Pipeline = "config:\n  v: 1\nstages:\n  - id: 01_a\n    run: echo {config.v} > {out.o}\n    outputs: { o: o.txt }\n";

    private readonly TempFolder _temp = new();

    public CommandLineInputTests() => _temp.Write("waybill.yaml", Pipeline);

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("a\nb")]
    [InlineData("job\r")]
    [InlineData("tab\there")]
    [InlineData("esc\u001b[31m")]
    [InlineData("-x")]
    [InlineData("--force")]
    public async Task Run_refuses_a_job_id_with_a_control_character_or_a_leading_dash(string jobId)
    {
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id=" + jobId);
        var dryRun = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "-n", "--job-id=" + jobId);
        foreach (var result in new[] { run, dryRun })
        {
            Assert.True(result.ExitCode == 2, result.All);
            Assert.Matches("holds a control character|starts with '-'", result.Stderr);
            // A control character is shown escaped, never written raw into the terminal or a log.
            if (jobId.Any(char.IsControl)) Assert.DoesNotContain(jobId, result.Stderr, StringComparison.Ordinal);
        }
        Assert.False(Directory.Exists(_temp.Combine("out")) && Directory.EnumerateDirectories(_temp.Combine("out")).Any(),
            "no job folder may be made");
    }

    [Theory]
    [InlineData("status")]
    [InlineData("logs")]
    [InlineData("verify")]
    [InlineData("manifest")]
    [InlineData("clean")]
    [InlineData("resume")]
    public async Task Commands_refuse_a_job_argument_with_a_newline_even_when_such_a_folder_exists(string command)
    {
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "good");
        Assert.True(run.ExitCode == 0, run.All);
        Directory.Move(_temp.Combine("out", "good"), _temp.Combine("out", "a\nb"));
        string[] args = command switch
        {
            "manifest" => [command, "a\nb", "01_a"],
            "clean" => [command, "a\nb", "--outputs-of", "01_a"],
            _ => [command, "a\nb"],
        };
        var result = await CliProcess.RunAsync(_temp.Path, args);
        Assert.True(result.ExitCode == 2, result.All);
        Assert.Contains("job id 'a\\nb' holds a control character", result.Stderr);
        Assert.True(Directory.Exists(_temp.Combine("out", "a\nb")), "nothing is cleaned or changed");
    }

    [Fact]
    public async Task A_job_argument_starting_with_a_dash_is_refused_after_the_option_separator()
    {
        var result = await CliProcess.RunAsync(_temp.Path, "status", "--", "-x");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("job id '-x' starts with '-'", result.Stderr);
    }

    [Theory]
    [InlineData(".v=1", ".v", "starts or ends with '.'")]
    [InlineData("v.=1", "v.", "starts or ends with '.'")]
    [InlineData("config.=1", "config.", "starts or ends with '.'")]
    [InlineData("a..b=1", "a..b", "an empty name between two dots")]
    [InlineData("a b=1", "a b", "a space or a control character")]
    [InlineData(" v=1", " v", "a space or a control character")]
    [InlineData("v\n=1", "v\\n", "a space or a control character")]
    [InlineData("v$x=1", "v$x", "a character other than")]
    public async Task A_malformed_set_key_is_refused_naming_the_key_and_the_accepted_form(string item, string shown, string problem)
    {
        foreach (var command in new[] { "validate", "run" })
        {
            var result = await CliProcess.RunAsync(_temp.Path, command, "waybill.yaml", "--set", item);
            Assert.True(result.ExitCode == 2, result.All);
            Assert.Contains($"--set: --set key '{shown}' is malformed: the key ", result.Stderr);
            Assert.Contains(problem, result.Stderr);
            Assert.Contains("a key is one or more names joined by single dots", result.Stderr);
        }
        Assert.False(Directory.Exists(_temp.Combine("out")));
    }

    [Fact]
    public async Task An_empty_set_key_is_refused()
    {
        var result = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml", "--set", "=1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--set '=1' is not key=value", result.Stderr);
    }

    [Fact]
    public async Task Well_formed_set_keys_still_reach_pipeline_and_stage_config()
    {
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "ok", "--set", "v=7", "--set", "01_a.extra-key.sub_1=x");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal("7", File.ReadAllText(_temp.Combine("out", "ok", "01_a", "o.txt")).Trim());
    }
}
