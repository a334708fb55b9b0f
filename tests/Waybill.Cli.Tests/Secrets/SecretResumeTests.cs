using System.Security.Cryptography;
using System.Text;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Waybill.Cli.Tests.Secrets;

/// <summary>
/// A job whose pipeline was given secrets resumes with the real values or not at all: the snapshot never holds a
/// secret, always parses, and a masked value is never run as if it were the value.
/// </summary>
public sealed class SecretResumeTests : IDisposable
{
    private const string Password = "hunter2-in-file-77c1";
    private const string Token = "tok-given-by-set-5521";
    private readonly TempFolder _temp = new();

    public SecretResumeTests() => _temp.Write("waybill.yaml", $$"""
        config:
          password: {{Password}}
          model: small
        stages:
          - id: 01_hash
            run: printf %s {config.password} | sha256sum > {out.h}
            outputs: { h: h.txt }
          - id: 02_use
            inputs: { h: 01_hash.h }
            run: test -e "$GATE" && printf %s {config.password} | sha256sum > {out.h2}
            outputs: { h2: h2.txt }
        """);

    public void Dispose() => _temp.Dispose();

    private string Job => _temp.Combine("out", "j");
    private string Snapshot => Path.Combine(Job, ".waybill", "pipeline.yaml");

    /// <summary>The stage's gate: a file that exists only when <paramref name="open"/>.</summary>
    private Dictionary<string, string> Env(bool open, params (string Name, string Value)[] more)
    {
        var gate = _temp.Combine("gate");
        if (open) File.WriteAllText(gate, "");
        else File.Delete(gate);
        var env = new Dictionary<string, string> { ["GATE"] = gate };
        foreach (var (name, value) in more) env[name] = value;
        return env;
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private string Output(string stage, string file) => File.ReadAllText(Path.Combine(Job, stage, file)).Split(' ')[0];

    private async Task RunFailingAtTheSecondStage(params string[] extra)
    {
        var run = await CliProcess.RunAsync(_temp.Path, Env(open: false), ["run", "waybill.yaml", "--job-id", "j", "--jobs", "1", .. extra]);
        Assert.True(run.ExitCode == 1, run.All);
        AssertSnapshotParsesWithoutSecrets();
    }

    private void AssertSnapshotParsesWithoutSecrets()
    {
        var text = File.ReadAllText(Snapshot);
        new YamlStream().Load(new StringReader(text));
        SecretScan.AssertAbsent(Job, Password, Token);
    }

    /// <summary>The pipeline file is edited after the run: resume can no longer take the secret from it.</summary>
    private void EditPipelineFile() => File.AppendAllText(_temp.Combine("waybill.yaml"), "# edited after the run\n");

    [Fact]
    public async Task Resume_refuses_without_a_config_secret_from_a_changed_pipeline_file_and_runs_with_the_value_given_by_set()
    {
        await RunFailingAtTheSecondStage();
        EditPipelineFile();

        var refused = await CliProcess.RunAsync(_temp.Path, Env(open: true), "resume", "j");
        Assert.True(refused.ExitCode == 2, refused.All);
        Assert.Contains("resume needs the secret config value 'password'", refused.Stderr);
        Assert.Contains("--set password=", refused.Stderr);
        Assert.Contains("WAYBILL_SECRET_PASSWORD", refused.Stderr);
        Assert.False(File.Exists(Path.Combine(Job, "02_use", "h2.txt")));

        var resumed = await CliProcess.RunAsync(_temp.Path, Env(open: true), "resume", "j", "--explain", "--set", "password=" + Password);
        Assert.True(resumed.ExitCode == 0, resumed.All);
        Assert.Contains("01_hash  up to date", resumed.Stdout);
        Assert.Equal(Sha256(Password), Output("02_use", "h2.txt"));
        Assert.Equal(Sha256(Password), Output("01_hash", "h.txt"));
        AssertSnapshotParsesWithoutSecrets();
    }

    [Fact]
    public async Task Exec_stage_and_resume_take_the_secret_from_the_WAYBILL_SECRET_environment_variable()
    {
        await RunFailingAtTheSecondStage();
        EditPipelineFile();

        var refused = await CliProcess.RunAsync(_temp.Path, Env(open: true), "exec-stage", "j", "02_use");
        Assert.True(refused.ExitCode == 2, refused.All);
        Assert.Contains("exec-stage needs the secret config value 'password'", refused.Stderr);

        var single = await CliProcess.RunAsync(_temp.Path, Env(open: true, ("WAYBILL_SECRET_PASSWORD", Password)), "exec-stage", "j", "02_use");
        Assert.True(single.ExitCode == 0, single.All);
        Assert.Equal(Sha256(Password), Output("02_use", "h2.txt"));

        var resumed = await CliProcess.RunAsync(_temp.Path, Env(open: true, ("WAYBILL_SECRET_PASSWORD", Password)), "resume", "j", "--explain");
        Assert.True(resumed.ExitCode == 0, resumed.All);
        Assert.Contains("01_hash  up to date", resumed.Stdout);
        Assert.Contains("02_use  up to date", resumed.Stdout);
        AssertSnapshotParsesWithoutSecrets();
    }

    [Fact]
    public async Task Resume_reads_a_secret_from_the_original_pipeline_file_while_that_file_is_unchanged()
    {
        await RunFailingAtTheSecondStage();

        var resumed = await CliProcess.RunAsync(_temp.Path, Env(open: true), "resume", "j");
        Assert.True(resumed.ExitCode == 0, resumed.All);
        Assert.Equal(Sha256(Password), Output("02_use", "h2.txt"));
        AssertSnapshotParsesWithoutSecrets();
    }

    [Fact]
    public async Task A_secret_given_with_set_is_asked_for_again_and_never_replaced_by_its_mask()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_hash
                run: printf %s {config.api_token} | sha256sum > {out.h}
                outputs: { h: h.txt }
              - id: 02_use
                inputs: { h: 01_hash.h }
                run: test -e "$GATE" && printf %s {config.api_token} | sha256sum > {out.h2}
                outputs: { h2: h2.txt }
            """);
        await RunFailingAtTheSecondStage("--set", "api_token=" + Token);

        var refused = await CliProcess.RunAsync(_temp.Path, Env(open: true), "resume", "j");
        Assert.True(refused.ExitCode == 2, refused.All);
        Assert.Contains("resume needs the secret config value 'api_token' (given to the first run by --set)", refused.Stderr);
        Assert.False(File.Exists(Path.Combine(Job, "02_use", "h2.txt")));

        var resumed = await CliProcess.RunAsync(_temp.Path, Env(open: true), "resume", "j", "--set", "api_token=" + Token);
        Assert.True(resumed.ExitCode == 0, resumed.All);
        Assert.Equal(Sha256(Token), Output("02_use", "h2.txt"));
        AssertSnapshotParsesWithoutSecrets();
    }

    [Fact]
    public async Task A_damaged_snapshot_is_named_in_the_error_not_the_original_pipeline_file()
    {
        await RunFailingAtTheSecondStage();
        File.WriteAllText(Snapshot, "stages:\n  - id: 01_hash\n    run: [unclosed\n");

        var resumed = await CliProcess.RunAsync(_temp.Path, Env(open: true), "resume", "j");
        Assert.True(resumed.ExitCode == 2, resumed.All);
        Assert.Contains(Path.Combine(".waybill", "pipeline.yaml"), resumed.Stderr);
        Assert.DoesNotContain("waybill.yaml:", resumed.Stderr);
    }
}
