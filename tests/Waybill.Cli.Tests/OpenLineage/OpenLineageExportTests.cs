using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Media.Tests.Tmdb;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.OpenLineage;

/// <summary>
/// <c>waybill run --openlineage-url</c> against a real HTTP server on 127.0.0.1: what arrives is what the job's
/// logs/openlineage.jsonl holds; a failing, missing or slow endpoint costs a warning, never the run.
/// </summary>
public sealed class OpenLineageExportTests : IDisposable
{
    private const string Secret = "s3cr3t-endpoint-5521";
    private const string ApiKey = "ol-key-90aa17c4e2b3";
    private readonly TempFolder _temp = new();

    public OpenLineageExportTests() => _temp.Write("waybill.yaml", """
        name: exported
        stages:
          - id: 01_make
            description: Write a greeting
            run: printf 'hello' > {out.text}
            outputs: { text: { path: text.txt, type: text } }
          - id: 02_fail
            inputs: { text: 01_make.text }
            run: 'echo "denied for $API_TOKEN" >&2; exit 3'
          - id: 03_after
            after: [02_fail]
            run: 'true'
        """);

    public void Dispose() => _temp.Dispose();

    private string Job => _temp.Combine("out", "j");
    private string EventsFile => Path.Combine(Job, "logs", "openlineage.jsonl");
    private string PipelineLog => File.ReadAllText(Directory.GetFiles(Path.Combine(Job, "logs"), "99_pipeline_*.log").Single());

    /// <summary>The OpenLineage variables of whoever runs the tests must not leak in; each test sets its own.</summary>
    private static Dictionary<string, string> Environment(params (string Name, string Value)[] set)
    {
        var env = new Dictionary<string, string> { ["OPENLINEAGE_URL"] = "", ["OPENLINEAGE_API_KEY"] = "", ["OPENLINEAGE_NAMESPACE"] = "", ["OPENLINEAGE_DISABLED"] = "" };
        foreach (var (name, value) in set) env[name] = value;
        return env;
    }

    private Task<CliProcess.Result> Run(IDictionary<string, string> env, params string[] extra) =>
        CliProcess.RunAsync(_temp.Path, env, ["run", "waybill.yaml", "--job-id", "j", "--jobs", "1", .. extra]);

    private void UseSucceedingPipeline() => _temp.Write("waybill.yaml", """
        name: fine
        stages:
          - id: 01_a
            run: printf a > {out.a}
            outputs: { a: a.txt }
          - id: 02_b
            inputs: { a: 01_a.a }
            run: cat {in.a} > {out.b}
            outputs: { b: b.txt }
        """);

    private static string Describe(JsonNode e) => $"{e["job"]!["name"]} {e["eventType"]}";

    [Fact]
    public async Task The_events_posted_are_the_lines_of_the_jsonl_in_order_with_FAIL_for_the_failed_stage()
    {
        using var server = new LocalHttpServer(_ => new Reply(201, ""));
        var run = await Run(Environment(("API_TOKEN", Secret), ("OPENLINEAGE_API_KEY", ApiKey)), "--openlineage-url", $"http://127.0.0.1:{server.Port}");

        Assert.Equal(1, run.ExitCode);
        var lines = File.ReadAllLines(EventsFile);
        var posted = server.Requests.ToList();
        Assert.Equal(lines, posted.Select(r => r.Body));
        Assert.All(posted, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal("/api/v1/lineage", r.Path);
            Assert.Equal("application/json", r.ContentType);
            Assert.Equal("Bearer " + ApiKey, r.Authorization);
        });

        var events = lines.Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(
            [
                "exported START", "exported.01_make START", "exported.01_make COMPLETE", "exported.02_fail START", "exported.02_fail FAIL",
                "exported.03_after START", "exported.03_after COMPLETE", "exported FAIL",
            ],
            events.Select(Describe));
        var failed = events[4];
        Assert.Equal((string?)events[3]["run"]!["runId"], (string?)failed["run"]!["runId"]);
        Assert.Equal("command exited with code 3: denied for ***", (string?)failed["run"]!["facets"]!["errorMessage"]!["message"]);
        Assert.Equal((string?)events[0]["run"]!["runId"], (string?)failed["run"]!["facets"]!["parent"]!["run"]!["runId"]);

        // Neither the secret of the pipeline nor the endpoint's key is written anywhere or sent.
        var everything = run.All + string.Concat(Directory.GetFiles(Job, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.DoesNotContain(Secret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, everything, StringComparison.Ordinal);
        Assert.All(posted, r => Assert.DoesNotContain(Secret, r.Body, StringComparison.Ordinal));
        Assert.DoesNotContain("not delivered", PipelineLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OPENLINEAGE_URL_and_OPENLINEAGE_NAMESPACE_stand_in_for_the_options()
    {
        using var server = new LocalHttpServer(_ => new Reply(200, "{}"));
        UseSucceedingPipeline();
        var run = await Run(Environment(("OPENLINEAGE_URL", $"http://127.0.0.1:{server.Port}/api/v1/lineage"), ("OPENLINEAGE_NAMESPACE", "studio-a")));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(6, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Null(r.Authorization));
        Assert.All(File.ReadAllLines(EventsFile), l => Assert.Equal("studio-a", (string?)JsonNode.Parse(l)!["job"]!["namespace"]));
    }

    [Fact]
    public async Task An_endpoint_answering_500_costs_one_warning_and_the_run_still_succeeds()
    {
        using var server = new LocalHttpServer(_ => new Reply(500, "{\"error\":\"down\"}"));
        UseSucceedingPipeline();
        var run = await Run(Environment(), "--openlineage-url", $"http://127.0.0.1:{server.Port}");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(6, File.ReadAllLines(EventsFile).Length);
        var log = PipelineLog;
        Assert.Contains($"[WARNING] OpenLineage endpoint http://127.0.0.1:{server.Port}/api/v1/lineage: 500 Internal Server Error; 6 of 6 events not delivered", log, StringComparison.Ordinal);
        Assert.Single(log.Split('\n'), l => l.Contains("OpenLineage", StringComparison.Ordinal));
        // Retried while the endpoint might come back, then one try per event.
        Assert.InRange(server.Requests.Count, 6, 8);
    }

    [Fact]
    public async Task No_server_at_the_url_costs_one_warning_and_the_run_still_succeeds()
    {
        UseSucceedingPipeline();
        using var refusing = new RefusingPort();
        var port = refusing.Port;
        var run = await Run(Environment(), "--openlineage-url", $"http://127.0.0.1:{port}");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(6, File.ReadAllLines(EventsFile).Length);
        Assert.Matches($@"\[WARNING\] OpenLineage endpoint http://127\.0\.0\.1:{port}/api/v1/lineage: .*Connection refused.*; 6 of 6 events not delivered", PipelineLog);
        Assert.Contains("events not delivered", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_endpoint_holds_the_run_no_longer_than_the_bounded_wait()
    {
        using var server = new LocalHttpServer(_ => new Reply(201, "", Delay: TimeSpan.FromSeconds(60)));
        UseSucceedingPipeline();
        // Two seconds per POST, so at most four seconds' wait at the end (and one more for the worker to stop); sending
        // all six would take twelve. With one second per POST the bounded wait (3 s) and the unbounded one (6 s) were too
        // close for a bound that leaves a busy machine room to end the process.
        var run = await Run(Environment(), "--openlineage-url", $"http://127.0.0.1:{server.Port}", "--openlineage-timeout", "2");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(6, File.ReadAllLines(EventsFile).Length);
        Assert.Contains("events not delivered", PipelineLog, StringComparison.Ordinal);
        var events = File.ReadAllLines(Path.Combine(Job, "logs", "events.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        var finished = DateTimeOffset.Parse((string)events.Last(e => (string?)e["event"] == "job_finished")["ts"]!, System.Globalization.CultureInfo.InvariantCulture);
        var heldAfterTheRun = DateTimeOffset.UtcNow - finished;
        Assert.True(heldAfterTheRun < TimeSpan.FromSeconds(9), $"the process ended {heldAfterTheRun.TotalSeconds:0.0}s after the run finished");
    }

    [Fact]
    public async Task No_openlineage_writes_no_file_and_a_bad_url_is_refused_by_name()
    {
        UseSucceedingPipeline();
        var off = await Run(Environment(), "--no-openlineage");
        Assert.Equal(0, off.ExitCode);
        Assert.False(File.Exists(EventsFile));

        var bad = await Run(Environment(), "--openlineage-url", "localhost:5000");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("error: --openlineage-url: 'localhost:5000' is not an http:// or https:// URL", bad.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", bad.All, StringComparison.Ordinal);
    }
}
