using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Controls;

/// <summary><c>retries:</c> through the real CLI: which failures are tried again, and how every try is recorded.</summary>
public sealed class RetryTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// A command that counts its runs in a file outside the job (so no try can clean it up) and fails with exit code
    /// <c>$CODE</c> until run number <c>$PASS_ON</c>.
    /// </summary>
    private static string Flaky(string id, string retries, int passOn = 3, int code = 1) => $"""
          - id: {id}
            env: {"{"} PASS_ON: "{passOn}", CODE: "{code}" {"}"}
            run: |
              n=$(cat "$WAYBILL_JOB_DIR/../../{id}.count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$WAYBILL_JOB_DIR/../../{id}.count"
              echo "run $n" > {"{"}out.result{"}"}
              if [ $n -lt $PASS_ON ]; then echo "flaky failure $n" >&2; exit $CODE; fi
            outputs: {"{"} result: result.txt {"}"}
            retries: {retries}

        """;

    private async Task<CliProcess.Result> Run(string stages, params string[] more)
    {
        _temp.Write("waybill.yaml", "stages:\n" + stages);
        return await CliProcess.RunAsync(_temp.Path, ["run", "waybill.yaml", "--job-id", "j", .. more]);
    }

    [Fact]
    public async Task A_stage_that_fails_twice_then_succeeds_is_a_success_with_three_tries_recorded()
    {
        var run = await Run(Flaky("01_flaky", "{ count: 3, backoff: 100ms }"), "--explain");

        Assert.True(run.ExitCode == 0, run.All);
        JobAssert.ManifestsAreValid(Job);
        var manifest = Manifest("01_flaky");
        Assert.Equal("success", manifest["status"]!.GetValue<string>());
        var tries = manifest["tries"]!.AsArray();
        Assert.Equal([1, 1, 0], tries.Select(t => t!["exit_code"]!.GetValue<int>()));
        Assert.Equal(["failed", "failed", "success"], tries.Select(t => t!["status"]!.GetValue<string>()));
        Assert.Equal("command exited with code 1: flaky failure 2", tries[1]!["error"]!.GetValue<string>());
        Assert.Null(tries[2]!["error"]);
        Assert.Equal([null, 0.1, 0.2], tries.Select(t => t!["wait_before_seconds"]?.GetValue<double>()));
        Assert.Equal(1, manifest["attempt"]!.GetValue<int>()); // the first run of the stage: attempt counts runs, not tries
        Assert.Equal(["succeeded on attempt 3 of 4"], manifest["warnings"]!.AsArray().Select(w => w!["message"]!.GetValue<string>()));
        // Only the last try's records: its output, no error of the tries before it.
        Assert.Empty(manifest["errors"]!.AsArray());
        Assert.Equal("01_flaky/result.txt", manifest["outputs"]!.AsArray().Single()!["path"]!.GetValue<string>());
        Assert.Equal("run 3\n", File.ReadAllText(Path.Combine(Job, "01_flaky", "result.txt")));

        var stageLog = File.ReadAllText(Path.Combine(Job, "01_flaky", "stage.log"));
        Assert.Contains("[WARNING] attempt 1 of 4 failed: command exited with code 1: flaky failure 1; retrying in 100ms", stageLog);
        Assert.Contains("[WARNING] attempt 2 of 4 failed: command exited with code 1: flaky failure 2; retrying in 200ms", stageLog);
        // The pipeline log: one line per retry, and no ERROR for a stage that succeeded.
        var pipelineLog = PipelineLog();
        Assert.Equal(2, pipelineLog.Split('\n').Count(l => l.Contains("retrying in", StringComparison.Ordinal)));
        Assert.DoesNotContain("[ERROR]", pipelineLog, StringComparison.Ordinal);
        // --explain says which try the result is.
        Assert.Contains("attempt 2 of 4 failed: command exited with code 1: flaky failure 2", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("attempt 3 of 4 succeeded", run.Stdout, StringComparison.Ordinal);
        // So does `waybill manifest`, under the command.
        var shown = await CliProcess.RunAsync(_temp.Path, "manifest", "j", "flaky");
        Assert.Contains("  tries: 3", shown.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"    2  failed    exit 1   [0-9.]+s after waiting 0\.1s  command exited with code 1: flaky failure 2", shown.Stdout);
    }

    [Fact]
    public async Task When_retries_run_out_the_stage_fails_with_the_last_failure_and_every_try_recorded()
    {
        var run = await Run(Flaky("01_flaky", "{ count: 2, backoff: 10ms }", passOn: 99) + """
              - id: 02_after
                inputs: { r: 01_flaky.result }
                run: cat {in.r}
            """);

        Assert.True(run.ExitCode == 1, run.All);
        JobAssert.ManifestsAreValid(Job);
        var manifest = Manifest("01_flaky");
        Assert.Equal("failed", manifest["status"]!.GetValue<string>());
        Assert.Equal("command exited with code 1: flaky failure 3", manifest["status_reason"]!.GetValue<string>());
        Assert.Equal(["command exited with code 1: flaky failure 3"], manifest["errors"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()));
        var tries = manifest["tries"]!.AsArray();
        Assert.Equal(["failed", "failed", "failed"], tries.Select(t => t!["status"]!.GetValue<string>()));
        Assert.Equal([1, 2, 3], tries.Select(t => t!["try"]!.GetValue<int>()));
        Assert.Equal("3", File.ReadAllText(_temp.Combine("01_flaky.count")).Trim());
        Assert.Contains("[WARNING] attempt 3 of 3 failed: command exited with code 1: flaky failure 3; not retried: no retries left",
            File.ReadAllText(Path.Combine(Job, "01_flaky", "stage.log")));
        Assert.Matches(@"❌ Stage flaky: FAILED \(\d+\.\ds\): command exited with code 1: flaky failure 3", PipelineLog());
        Assert.Equal("skipped", Manifest("02_after")["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_exit_codes_only_a_matching_exit_is_retried()
    {
        var run = await Run(
            Flaky("01_temporary", "{ count: 3, backoff: 10ms, exit_codes: [75] }", passOn: 2, code: 75)
            + Flaky("02_permanent", "{ count: 3, backoff: 10ms, exit_codes: [75] }", passOn: 2, code: 2),
            "--keep-going");

        Assert.True(run.ExitCode == 1, run.All);
        JobAssert.ManifestsAreValid(Job);
        Assert.Equal([75, 0], Manifest("01_temporary")["tries"]!.AsArray().Select(t => t!["exit_code"]!.GetValue<int>()));
        Assert.Equal("success", Manifest("01_temporary")["status"]!.GetValue<string>());
        var permanent = Manifest("02_permanent");
        Assert.Equal("failed", permanent["status"]!.GetValue<string>());
        Assert.Equal([2], permanent["tries"]!.AsArray().Select(t => t!["exit_code"]!.GetValue<int>()));
        Assert.Equal("1", File.ReadAllText(_temp.Combine("02_permanent.count")).Trim());
        Assert.Contains("attempt 1 of 4 failed: command exited with code 2: flaky failure 1; "
            + "not retried: exit code 2 is not in retries.exit_codes (75)",
            File.ReadAllText(Path.Combine(Job, "02_permanent", "stage.log")));
    }

    [Fact]
    public async Task With_errors_only_a_failure_whose_message_matches_is_retried()
    {
        var run = await Run(
            Flaky("01_matches", """{ count: 1, backoff: 10ms, errors: ["flaky failure [0-9]"] }""", passOn: 2)
            + Flaky("02_other", """{ count: 1, backoff: 10ms, errors: ["connection reset"] }""", passOn: 2),
            "--keep-going");

        Assert.True(run.ExitCode == 1, run.All);
        Assert.Equal("success", Manifest("01_matches")["status"]!.GetValue<string>());
        Assert.Equal("failed", Manifest("02_other")["status"]!.GetValue<string>());
        Assert.Contains("not retried: its errors match none of retries.errors", File.ReadAllText(Path.Combine(Job, "02_other", "stage.log")));
    }

    [Fact]
    public async Task Set_retries_to_0_turns_retries_off()
    {
        var run = await Run(Flaky("01_flaky", "{ count: 3, backoff: 10ms }"), "--set", "01_flaky.retries=0");

        Assert.True(run.ExitCode == 1, run.All);
        JobAssert.ManifestsAreValid(Job);
        var manifest = Manifest("01_flaky");
        Assert.Equal("failed", manifest["status"]!.GetValue<string>());
        Assert.Null(manifest["tries"]);
        Assert.Equal("1", File.ReadAllText(_temp.Combine("01_flaky.count")).Trim());
        Assert.DoesNotContain("attempt 1 of", File.ReadAllText(Path.Combine(Job, "01_flaky", "stage.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_and_exec_stage_retry_as_the_run_did()
    {
        // Runs 1 and 2 fail: the run gives up after two tries. Resume's first try fails, its second succeeds.
        var first = await Run(Flaky("01_flaky", "{ count: 1, backoff: 10ms }", passOn: 4));
        Assert.True(first.ExitCode == 1, first.All);

        var resume = await CliProcess.RunAsync(_temp.Path, "resume", "j");

        Assert.True(resume.ExitCode == 0, resume.All);
        var resumed = Manifest("01_flaky");
        Assert.Equal(2, resumed["attempt"]!.GetValue<int>());
        Assert.Equal([1, 0], resumed["tries"]!.AsArray().Select(t => t!["exit_code"]!.GetValue<int>()));
        Assert.Contains("succeeded on attempt 2 of 2", resumed["warnings"]!.ToJsonString(), StringComparison.Ordinal);

        // exec-stage, counting from the start again: two failures, and the one retry is not enough.
        File.Delete(_temp.Combine("01_flaky.count"));
        var exec = await CliProcess.RunAsync(_temp.Path, "exec-stage", "j", "01_flaky");

        Assert.True(exec.ExitCode == 1, exec.All);
        var executed = Manifest("01_flaky");
        Assert.Equal(3, executed["attempt"]!.GetValue<int>());
        Assert.Equal([1, 1], executed["tries"]!.AsArray().Select(t => t!["exit_code"]!.GetValue<int>()));
        // The output of the successful resume is back in place: a failed run of the stage never loses it.
        Assert.Equal("run 4\n", File.ReadAllText(Path.Combine(Job, "01_flaky", "result.txt")));
        Assert.Contains("attempt 1 of 2 failed: command exited with code 1: flaky failure 1; retrying in 10ms", PipelineLog());
        JobAssert.ManifestsAreValid(Job);
    }

    private string Job => _temp.Combine("out", "j");

    private JsonNode Manifest(string stage) => JsonNode.Parse(File.ReadAllText(Path.Combine(Job, stage, "manifest.json")))!;

    private string PipelineLog() =>
        string.Concat(Directory.GetFiles(Path.Combine(Job, "logs"), "99_pipeline_*.log").Order().Select(File.ReadAllText));
}
