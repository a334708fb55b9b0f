using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Media.Tests.Tmdb;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Secrets;

/// <summary>Secrets that reach the engine by a side door (tool version output, the OpenLineage URL) are masked too.</summary>
public sealed class SecretSideDoorTests : IDisposable
{
    private const string EnvToken = "env-token-31d9c0aa";
    private const string ConfigPassword = "cfg-pass-7a1b55e2";
    private const string UrlPassword = "url-pass-c4f80b19";
    private const string QueryKey = "query-key-5e2a0d77";
    private const string HeaderKey = "header-key-9b81f3c4";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Job => _temp.Combine("out", "j");

    /// <summary>The OpenLineage variables of whoever runs the tests must not leak in.</summary>
    private static Dictionary<string, string> Environment(params (string Name, string Value)[] set)
    {
        var env = new Dictionary<string, string>
        {
            ["OPENLINEAGE_URL"] = "", ["OPENLINEAGE_API_KEY"] = "", ["OPENLINEAGE_NAMESPACE"] = "", ["OPENLINEAGE_DISABLED"] = "",
        };
        foreach (var (name, value) in set) env[name] = value;
        return env;
    }

    [Fact]
    public async Task A_url_after_a_long_run_of_letters_in_command_output_is_masked_without_scanning_the_run_again_per_letter()
    {
        // Two lines of a million letters, each ending in a URL with a password: masking scanned the run once per letter
        // (over a minute per line, past the test's bound for the command); now once.
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_talk
                run: python3 -c "[print('a' * 1000000 + ' x://user:hunter2pw@host') for _ in range(2)]"
            """);

        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");

        Assert.True(run.ExitCode == 0, run.All);
        var log = File.ReadAllText(Path.Combine(Job, "01_talk", "stage.log"));
        Assert.Equal(2, log.Split("aaaa x://user:***@host").Length - 1);
        Assert.DoesNotContain("hunter2pw", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tool_version_output_holding_an_environment_and_a_config_secret_is_masked_in_tool_versions()
    {
        _temp.Write("probe.txt", $"probe 1.2.3 built with {EnvToken} and {ConfigPassword}\n");
        _temp.Write("waybill.yaml", $$"""
            config:
              password: {{ConfigPassword}}
            stages:
              - id: 01_probe
                run: printf done > {out.o}
                outputs: { o: o.txt }
                tools:
                  probe: cat probe.txt
            """);
        var env = Environment(("MY_API_TOKEN", EnvToken));
        var run = await CliProcess.RunAsync(_temp.Path, env, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "01_probe", "manifest.json")))!;
        Assert.Equal("probe 1.2.3 built with *** and ***", manifest["tool_versions"]!["probe"]!.GetValue<string>());
        SecretScan.AssertAbsent(Job, EnvToken, ConfigPassword);

        // Masked the same way every time, the recorded version does not make the stage look changed.
        var again = await CliProcess.RunAsync(_temp.Path, env, "run", "waybill.yaml", "--job-id", "j", "--explain");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Contains("01_probe  up to date", again.Stdout);
        var shown = await CliProcess.RunAsync(_temp.Path, env, "manifest", "j", "01_probe");
        Assert.DoesNotContain(EnvToken, shown.All);
        Assert.DoesNotContain(ConfigPassword, shown.All);
    }

    [Fact]
    public async Task Credentials_in_the_OpenLineage_URL_are_masked_in_the_job_folder_and_still_sent()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_make
                run: printf hello > {out.text}
                outputs: { text: text.txt }
            """);
        using var server = new LocalHttpServer(_ => new Reply(201, ""));
        var url = $"http://lineage-user:{UrlPassword}@127.0.0.1:{server.Port}/?api_key={QueryKey}&team=media";
        var run = await CliProcess.RunAsync(_temp.Path, Environment(("OPENLINEAGE_API_KEY", HeaderKey)),
            "run", "waybill.yaml", "--job-id", "j", "--openlineage-url", url);
        Assert.True(run.ExitCode == 0, run.All);

        SecretScan.AssertAbsent(Job, UrlPassword, QueryKey, HeaderKey);
        Assert.DoesNotContain(UrlPassword, run.All);
        Assert.DoesNotContain(QueryKey, run.All);
        var commandLine = JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "metadata.json")))!["command_line"]!.AsArray()
            .Select(a => a!.GetValue<string>());
        Assert.Contains($"http://lineage-user:***@127.0.0.1:{server.Port}/?api_key=***&team=media", commandLine);

        var posted = server.Requests.ToList();
        Assert.NotEmpty(posted);
        Assert.All(posted, r =>
        {
            Assert.Equal(QueryKey, r.Query["api_key"]);
            Assert.Equal("Bearer " + HeaderKey, r.Authorization);
        });
    }

    [Fact]
    public async Task A_bad_OpenLineage_URL_is_refused_without_echoing_its_password()
    {
        _temp.Write("waybill.yaml", "stages:\n  - id: 01_a\n    run: 'true'\n");
        var run = await CliProcess.RunAsync(_temp.Path, Environment(), "run", "waybill.yaml", "--job-id", "j",
            "--openlineage-url", $"ftp://someone:{UrlPassword}@example.org/?token={QueryKey}");
        Assert.True(run.ExitCode == 2, run.All);
        Assert.Contains("ftp://someone:***@example.org/?token=***", run.Stderr);
        Assert.DoesNotContain(UrlPassword, run.All);
        Assert.DoesNotContain(QueryKey, run.All);
    }
}
