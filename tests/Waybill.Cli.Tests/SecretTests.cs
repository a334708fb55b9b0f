using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests;

public sealed class SecretTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Secrets_from_env_and_config_never_reach_logs_manifests_or_metadata()
    {
        const string token = "tok-3f9a7c1e55d2";
        const string apiKey = "key-8812bb0c77aa";
        const string password = "hunter2-pass";
        _temp.Write("waybill.yaml", """
            secrets: [SERVICE_CREDENTIAL_X]
            config:
              api_key: key-8812bb0c77aa
              model: small
            stages:
              - id: 01_call
                run: >
                  echo "calling with $MY_API_TOKEN and {config.api_key}";
                  echo "error body: $SERVICE_CREDENTIAL_X" >&2;
                  echo ok > {out.result}
                outputs: { result: result.txt }
              - id: 02_fail
                inputs: { r: 01_call.result }
                run: echo "denied for $MY_API_TOKEN" >&2; exit 1
            """);
        var env = new Dictionary<string, string> { ["MY_API_TOKEN"] = token, ["SERVICE_CREDENTIAL_X"] = password };
        var run = await CliProcess.RunAsync(_temp.Path, env, "run", "waybill.yaml", "--job-id", "j", "--debug", "--set", "02_fail.password=" + password);
        Assert.Equal(1, run.ExitCode);
        var job = _temp.Combine("out", "j");

        var everything = run.All + string.Concat(Directory.GetFiles(job, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("result.txt", StringComparison.Ordinal)).Select(File.ReadAllText));
        Assert.DoesNotContain(token, everything);
        Assert.DoesNotContain(apiKey, everything);
        Assert.DoesNotContain(password, everything);
        // The lines themselves are still there, masked.
        Assert.Contains("calling with *** and ***", File.ReadAllText(Path.Combine(job, "01_call", "stage.log")));
        Assert.Contains("denied for ***", File.ReadAllText(Path.Combine(job, "02_fail", "manifest.json")));
        Assert.Contains("\"api_key\": \"***\"", File.ReadAllText(Path.Combine(job, "01_call", "manifest.json")));
        Assert.Contains("\"model\": \"small\"", File.ReadAllText(Path.Combine(job, "01_call", "manifest.json")));
    }
}
