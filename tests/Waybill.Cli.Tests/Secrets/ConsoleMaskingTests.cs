using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Secrets;

/// <summary>
/// What the CLI prints (errors, usage errors, failure reasons, the dry run, what logs, manifest and status show) goes through
/// the secret masker, whether the secret came from the command line before anything was parsed or from the pipeline.
/// </summary>
public sealed class ConsoleMaskingTests : IDisposable
{
    private const string SetSecret = "set-pass-4be19d07";
    private const string FileSecret = "file-token-8c02e5f1";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Job => _temp.Combine("out", "j");

    [Fact]
    public async Task A_usage_error_does_not_echo_a_secret_given_without_set()
    {
        _temp.Write("waybill.yaml", "stages:\n  - id: 01_a\n    run: 'true'\n");
        // "--set" forgotten: the parser rejects the word and quotes it back.
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", $"api_token={SetSecret}");
        Assert.True(run.ExitCode == 2, run.All);
        Assert.Contains("'api_token=***'", run.Stderr);
        Assert.DoesNotContain(SetSecret, run.All);
    }

    [Fact]
    public async Task A_failure_reason_quoting_a_secret_set_under_a_secret_name_is_masked_on_the_console_and_in_the_job()
    {
        _temp.Write("waybill.yaml", """
            config:
              password: { db: placeholder }
            stages:
              - id: 01_connect
                run: 'echo cannot connect with {config.password.db} >&2; exit 3'
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--set", $"password.db={SetSecret}");
        Assert.True(run.ExitCode == 1, run.All);
        Assert.Contains("command exited with code 3: cannot connect with ***", run.Stdout);
        Assert.DoesNotContain(SetSecret, run.All);
        SecretScan.AssertAbsent(Job, SetSecret);

        foreach (var shown in new[] { new[] { "status", "j" }, ["logs", "j"], ["logs", "j", "01_connect"], ["manifest", "j", "01_connect"] })
        {
            var printed = await CliProcess.RunAsync(_temp.Path, shown);
            Assert.True(printed.ExitCode == 0, printed.All);
            Assert.DoesNotContain(SetSecret, printed.All);
        }
    }

    [Fact]
    public async Task The_dry_run_does_not_show_a_secret_that_the_command_text_holds()
    {
        _temp.Write("waybill.yaml", $$"""
            env:
              DEPLOY_TOKEN: {{FileSecret}}
            stages:
              - id: 01_push
                run: 'printf %s {{FileSecret}} | wc -c > {out.o}'
                outputs: { o: o.txt }
            """);
        var dry = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--dry-run");
        Assert.True(dry.ExitCode == 0, dry.All);
        Assert.Contains("run: printf %s *** | wc -c > {out.o}", dry.Stdout);
        Assert.DoesNotContain(FileSecret, dry.All);
    }
}
