using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests;

/// <summary>status, logs, manifest, validate, dry run, exec-stage, --set, --help and --version through the real CLI.</summary>
public sealed class CommandTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private string Job => _temp.Combine("out", "j");

    private const string Pipeline = """
        name: cmds
        config: { greeting: hello }
        stages:
          - id: 01_say
            run: 'echo {config.greeting} > {out.text}; echo "careful: low disk" >&2'
            outputs: { text: { path: say.txt, type: text } }
          - id: 02_shout
            inputs: { text: 01_say.text }
            run: tr a-z A-Z < {in.text} > {out.loud}
            outputs: { loud: loud.txt }
        """;

    public async ValueTask InitializeAsync()
    {
        _temp.Write("waybill.yaml", Pipeline);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--set", "greeting=bonjour", "--legacy-stage-logs");
        Assert.True(run.ExitCode == 0, run.All);
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void Set_overrides_config_and_the_manifest_records_it()
    {
        Assert.Equal("BONJOUR\n", File.ReadAllText(Path.Combine(Job, "02_shout", "loud.txt")));
        Assert.Equal("bonjour", JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "01_say", "manifest.json")))!["config"]!["greeting"]!.GetValue<string>());
        Assert.Contains("greeting=bonjour", File.ReadAllText(Path.Combine(Job, "metadata.json")));
    }

    [Fact]
    public void Legacy_stage_logs_are_written_when_asked()
    {
        Assert.Single(Directory.GetFiles(Path.Combine(Job, "logs"), "01_say_*.log"));
        Assert.Contains("[stage.say] [DEBUG]", File.ReadAllText(Directory.GetFiles(Path.Combine(Job, "logs"), "01_say_*.log")[0]));
    }

    [Fact]
    public async Task Status_lists_every_stage_of_the_latest_job()
    {
        var status = await CliProcess.RunAsync(_temp.Path, "status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("Job j — pipeline cmds — SUCCESS", status.Stdout);
        Assert.Matches(@"01_say\s+success\s+[0-9.]+s\s+1\s+0\s+0", status.Stdout);
        Assert.Matches(@"02_shout\s+success", status.Stdout);
        var json = await CliProcess.RunAsync(_temp.Path, "status", "j", "--json");
        Assert.Equal("success", JsonNode.Parse(json.Stdout)!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Logs_filter_by_stage_level_and_pattern()
    {
        var pipeline = await CliProcess.RunAsync(_temp.Path, "logs", "j");
        Assert.Contains("▶ Stage 2/2: shout", pipeline.Stdout);
        Assert.DoesNotContain("[DEBUG]", pipeline.Stdout);

        var stage = await CliProcess.RunAsync(_temp.Path, "logs", "j", "say");
        Assert.Contains("[stage.say] [DEBUG] stderr| careful: low disk", stage.Stdout);

        var infoOnly = await CliProcess.RunAsync(_temp.Path, "logs", "j", "01_say", "--level", "INFO");
        Assert.DoesNotContain("[DEBUG]", infoOnly.Stdout);

        var grep = await CliProcess.RunAsync(_temp.Path, "logs", "j", "say", "--grep", "stderr. careful");
        Assert.Single(grep.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var follow = await CliProcess.RunAsync(_temp.Path, "logs", "j", "--follow");
        Assert.Equal(0, follow.ExitCode); // a finished job ends --follow by itself
        Assert.Contains("SUCCESS", follow.Stdout);

        var missing = await CliProcess.RunAsync(_temp.Path, "logs", "j", "nosuch");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("stages with logs: 01_say, 02_shout", missing.Stderr);
    }

    [Fact]
    public async Task Manifest_shows_a_stage_readably_or_as_json()
    {
        var text = await CliProcess.RunAsync(_temp.Path, "manifest", "j", "shout");
        Assert.Contains("Stage 02_shout (command) — SUCCESS", text.Stdout);
        Assert.Contains("01_say/say.txt", text.Stdout);
        Assert.Contains("← 01_say.text", text.Stdout);
        var json = await CliProcess.RunAsync(_temp.Path, "manifest", "j", "02_shout", "--json");
        Assert.Equal(File.ReadAllText(Path.Combine(Job, "02_shout", "manifest.json")).Trim(), json.Stdout.Trim());
    }

    [Fact]
    public async Task Exec_stage_runs_one_stage_again_as_its_own_process()
    {
        File.Delete(Path.Combine(Job, "02_shout", "loud.txt"));
        var exec = await CliProcess.RunAsync(_temp.Path, "exec-stage", "j", "02_shout");
        Assert.True(exec.ExitCode == 0, exec.All);
        Assert.Equal("BONJOUR\n", File.ReadAllText(Path.Combine(Job, "02_shout", "loud.txt")));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "02_shout", "manifest.json")))!;
        Assert.Equal(2, manifest["attempt"]!.GetValue<int>());
        Assert.Single(manifest["outputs"]!.AsArray()); // a re-run starts a fresh manifest, never appends
        Assert.Single(manifest["inputs"]!.AsArray());
        var pipelineLog = File.ReadAllText(Directory.GetFiles(Path.Combine(Job, "logs"), "99_pipeline_*.log")[0]);
        Assert.Equal(2, pipelineLog.Split("✓ Stage shout: SUCCESS").Length - 1); // the run's, then exec-stage's
        var job = JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "manifest.json")))!;
        Assert.Equal(manifest["duration_seconds"]!.GetValue<double>(), job["stages"]![1]!["duration_seconds"]!.GetValue<double>());
        JobAssert.ManifestsAreValid(Job);
    }

    [Fact]
    public async Task Dry_run_lists_the_plan_and_writes_nothing()
    {
        var dry = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "-n", "--job-id", "dry");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("Pipeline cmds, a new job: 2 of 2 stages would run", dry.Stdout);
        Assert.Contains("1/2 01_say  would run: new job", dry.Stdout);
        Assert.Contains("2/2 02_shout  would run: new job", dry.Stdout);
        Assert.Contains("(after 01_say)", dry.Stdout);
        Assert.False(Directory.Exists(_temp.Combine("out", "dry")));
    }

    [Fact]
    public async Task Validate_describes_a_valid_pipeline()
    {
        var result = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("valid — pipeline 'cmds', 2 stages: 01_say → 02_shout", result.Stdout);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("validate")]
    [InlineData("status")]
    [InlineData("logs")]
    [InlineData("manifest")]
    [InlineData("exec-stage")]
    public async Task Every_command_has_help(string command)
    {
        var help = await CliProcess.RunAsync(_temp.Path, command, "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Usage:", help.Stdout);
        Assert.Contains(command, help.Stdout);
    }

    [Fact]
    public async Task Version_is_printed()
    {
        var version = await CliProcess.RunAsync(_temp.Path, "--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout.Trim());
    }

    [Fact]
    public async Task An_unknown_option_is_bad_input_not_a_stage_failure()
    {
        var result = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--no-such-option");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--no-such-option", result.Stderr);
        Assert.Contains("hint: see 'waybill --help'", result.Stderr);
    }

    [Fact]
    public async Task An_unknown_job_is_a_clear_error()
    {
        var result = await CliProcess.RunAsync(_temp.Path, "status", "nope");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("job 'nope' not found", result.Stderr);
    }
}
