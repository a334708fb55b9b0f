using System.Text;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Telemetry;

/// <summary>
/// <c>waybill run</c> with an OTLP/HTTP endpoint, against a real receiver started by the test: one trace per run, a span per
/// stage run under the run's span with the manifest's figures, the stages' log lines as log records tied to their spans,
/// secrets masked; a collector that is down or slow costs one warning, never the run.
/// </summary>
public sealed class OtlpExportTests : IDisposable
{
    private const string Secret = "otlp-s3cr3t-7731";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Job => _temp.Combine("out", "j");

    private string PipelineLog => File.ReadAllText(Directory.GetFiles(Path.Combine(Job, "logs"), "99_pipeline_*.log").Single());

    /// <summary>The OpenTelemetry variables of whoever runs the tests must not leak in; each test sets its own.</summary>
    private static Dictionary<string, string> Environment(params (string Name, string Value)[] set)
    {
        var env = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "", ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "", ["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"] = "",
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "", ["OTEL_SDK_DISABLED"] = "", ["OTEL_SERVICE_NAME"] = "", ["OTEL_EXPORTER_OTLP_HEADERS"] = "",
            ["OPENLINEAGE_URL"] = "", ["OPENLINEAGE_DISABLED"] = "true",
        };
        foreach (var (name, value) in set) env[name] = value;
        return env;
    }

    private Task<CliProcess.Result> Run(IDictionary<string, string> env, params string[] extra) =>
        CliProcess.RunAsync(_temp.Path, env, ["run", "waybill.yaml", "--job-id", "j", "--jobs", "1", .. extra]);

    private void WriteSucceedingPipeline() => _temp.Write("waybill.yaml", """
        name: fine
        stages:
          - id: 01_a
            run: printf a > {out.a}
            outputs: { a: a.txt }
        """);

    [Fact]
    public async Task A_run_is_one_trace_with_a_span_per_stage_run_and_the_stages_log_lines_tied_to_their_spans()
    {
        using var collector = new OtlpCollector();
        _temp.Write("waybill.yaml", """
            name: traced
            secrets: [API_TOKEN]
            cost:
              rates: { cpu_hour: 0.04 }
            stages:
              - id: 01_make
                run: 'echo "making with $API_TOKEN"; printf hello > {out.text}'
                outputs: { text: text.txt }
              - id: 02_each
                foreach: { values: [en, de] }
                inputs: { text: 01_make.text }
                run: 'echo "item {item.key}"; cp {in.text} {out.copy}'
                outputs: { copy: copy.txt }
              - id: 03_fail
                inputs: { text: 01_make.text }
                run: 'echo "denied for $API_TOKEN" >&2; exit 3'
            """);
        var run = await Run(Environment(("API_TOKEN", Secret)), "--otlp-endpoint", collector.Endpoint, "--keep-going");
        Assert.True(run.ExitCode != 0, run.All);

        Assert.All(collector.Requests, r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.All(collector.Requests, r => Assert.Equal("POST", r.Method));
        // Real bytes from the SDK: no request carries the secret, masked or not, in any form.
        Assert.DoesNotContain(collector.Requests, r => Encoding.UTF8.GetString(r.Body).Contains(Secret, StringComparison.Ordinal));

        var spans = collector.Spans;
        var root = Assert.Single(spans, s => s.ParentSpanId is null);
        Assert.Equal("run traced", root.Name);
        Assert.Equal("failed", root.Attributes["waybill.status"]);
        Assert.Equal(2, root.StatusCode);
        Assert.Equal("j", root.Attributes["waybill.job_id"]);
        Assert.All(spans, s => Assert.Equal(root.TraceId, s.TraceId));
        var stages = spans.Where(s => s.ParentSpanId is not null).ToDictionary(s => s.Name, StringComparer.Ordinal);
        Assert.Equal(["01_make", "02_each[de]", "02_each[en]", "03_fail"], stages.Keys.Where(k => k != "02_each").Order(StringComparer.Ordinal));
        Assert.All(stages.Values, s => Assert.Equal(root.SpanId, s.ParentSpanId));
        var resource = OtlpData.Resource(collector.Requests.First(r => r.Path == "/v1/traces").Body);
        Assert.True(resource.GetValueOrDefault("service.name") as string == "waybill", string.Join(", ", resource.Select(kv => $"{kv.Key}={kv.Value}")));

        var make = stages["01_make"];
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "01_make", "manifest.json")))!;
        Assert.Equal("success", make.Attributes["waybill.status"]);
        Assert.Equal(1, make.StatusCode);
        Assert.Equal(manifest["resources"]!["cpu_seconds"]!.GetValue<double>(), (double)make.Attributes["waybill.resources.cpu_seconds"]!);
        Assert.Equal(manifest["resources"]!["peak_rss_mb"]!.GetValue<double>(), (double)make.Attributes["waybill.resources.peak_rss_mb"]!);
        Assert.Equal(manifest["cost"]!["total"]!.GetValue<double>(), (double)make.Attributes["waybill.cost.total"]!);
        Assert.Contains("not run before", Assert.IsType<object?[]>(make.Attributes["waybill.reasons"]).OfType<string>().First(), StringComparison.Ordinal);
        Assert.True(make.EndNanos > make.StartNanos);
        Assert.Equal("en", stages["02_each[en]"].Attributes["waybill.item_key"]);
        var fail = stages["03_fail"];
        Assert.Equal(2, fail.StatusCode);
        Assert.Equal("failed", fail.Attributes["waybill.status"]);
        Assert.Equal("command exited with code 3: denied for ***", fail.StatusMessage);

        var logs = collector.Logs;
        var making = Assert.Single(logs, l => l.Body?.StartsWith("stdout| making with", StringComparison.Ordinal) == true);
        Assert.Equal("stdout| making with ***", making.Body);
        Assert.Equal("Debug", making.Severity);
        Assert.Equal(root.TraceId, making.TraceId);
        Assert.Equal(make.SpanId, making.SpanId);
        Assert.Equal("01_make", making.Attributes["waybill.stage_id"]);
        Assert.Equal("stage.make", making.Scope);
        var item = Assert.Single(logs, l => l.Body == "stdout| item de");
        Assert.Equal(stages["02_each[de]"].SpanId, item.SpanId);
        var denied = Assert.Single(logs, l => l.Body == "stderr| denied for ***");
        Assert.Equal(fail.SpanId, denied.SpanId);
        // The orchestrator's own lines belong to the run's span.
        Assert.Contains(logs, l => l.Scope == "pipeline" && l.SpanId == root.SpanId && l.Body!.StartsWith("Pipeline traced: FAILED", StringComparison.Ordinal));
        Assert.Contains($"OpenTelemetry: trace {root.TraceId} to {collector.Endpoint}/v1/traces", PipelineLog, StringComparison.Ordinal);
        Assert.DoesNotContain("[WARNING] OpenTelemetry", PipelineLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_in_process_stage_s_span_names_the_figures_it_shares_with_the_engine_instead_of_sending_them_as_its_own()
    {
        using var collector = new OtlpCollector();
        _temp.Write("waybill.yaml", """
            name: shared
            stages:
              - id: 01_a
                run: printf a > {out.a}
                outputs: { a: a.txt }
              - id: 02_copy
                uses: copy
                inputs: { a: 01_a.a }
                outputs: { a: copy.txt }
            """);
        var run = await Run(Environment(), "--otlp-endpoint", collector.Endpoint);
        Assert.True(run.ExitCode == 0, run.All);

        var copy = Assert.Single(collector.Spans, s => s.Name == "02_copy");
        var shared = JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "02_copy", "manifest.json")))!["resources"]!["shared"]!.AsArray()
            .Select(n => n!.GetValue<string>()).ToList();
        Assert.Contains("peak_rss", shared);
        Assert.Equal(shared, Assert.IsType<object?[]>(copy.Attributes["waybill.resources.shared"]).OfType<string>());
        Assert.False(copy.Attributes.ContainsKey("waybill.resources.peak_rss_mb"));
        Assert.Equal(shared.Contains("cpu"), !copy.Attributes.ContainsKey("waybill.resources.cpu_seconds"));
        Assert.True(copy.Attributes.ContainsKey("waybill.resources.wall_seconds"));
        var code = JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "02_copy", "manifest.json")))!["resources"]!["code_cpu_seconds"]!
            .GetValue<double>();
        Assert.Equal(code, (double)copy.Attributes["waybill.resources.code_cpu_seconds"]!);
        var command = Assert.Single(collector.Spans, s => s.Name == "01_a");
        Assert.True(command.Attributes.ContainsKey("waybill.resources.peak_rss_mb"));
        Assert.False(command.Attributes.ContainsKey("waybill.resources.shared"));
        Assert.False(command.Attributes.ContainsKey("waybill.resources.code_cpu_seconds"));
    }

    [Fact]
    public async Task Subtitle_exports_its_run_to_the_endpoint_it_is_given()
    {
        using var collector = new OtlpCollector();
        var sample = await CliProcess.RunAsync(_temp.Path, "sample");
        Assert.True(sample.ExitCode == 0, sample.All);

        var run = await CliProcess.RunAsync(_temp.Path, Environment(),
            "subtitle", Path.Combine("samples", "generated", "sample.mp4"), "--job-id", "s", "--until", "01_demux",
            "--otlp-endpoint", collector.Endpoint);

        Assert.True(run.ExitCode == 0, run.All);
        var root = Assert.Single(collector.Spans, s => s.ParentSpanId is null);
        var demux = Assert.Single(collector.Spans, s => s.Name == "01_demux");
        Assert.Equal(root.SpanId, demux.ParentSpanId);
        Assert.Equal("success", demux.Attributes["waybill.status"]);
    }

    [Fact]
    public async Task The_environment_s_endpoint_is_used_without_the_option()
    {
        using var collector = new OtlpCollector();
        WriteSucceedingPipeline();
        var run = await Run(Environment(("OTEL_EXPORTER_OTLP_ENDPOINT", collector.Endpoint + "/"), ("OTEL_SERVICE_NAME", "subtitles-nightly")));
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(["01_a", "run fine"], collector.Spans.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Contains(collector.Requests, r => r.Path == "/v1/traces" && OtlpData.Resource(r.Body)["service.name"] as string == "subtitles-nightly");
    }

    [Fact]
    public async Task A_collector_that_is_down_costs_exactly_one_warning_and_the_run_succeeds()
    {
        WriteSucceedingPipeline();
        using var refusing = new RefusingPort();
        var port = refusing.Port;
        var run = await Run(Environment(("OTEL_EXPORTER_OTLP_ENDPOINT", $"http://127.0.0.1:{port}")));
        Assert.True(run.ExitCode == 0, run.All);
        var warnings = PipelineLog.Split('\n').Where(l => l.Contains("[WARNING]", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.Matches($@"OpenTelemetry collector http://127\.0\.0\.1:{port}/v1/traces: .*Connection refused.*; \d+ of \d+ exports failed, the spans and log records in them were not delivered", warning);
        Assert.Single(run.All.Split('\n'), l => l.Contains("OpenTelemetry collector", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_collector_that_never_answers_holds_the_run_s_end_no_longer_than_the_export_timeout_and_costs_one_warning()
    {
        using var collector = new OtlpCollector(delay: TimeSpan.FromSeconds(60));
        WriteSucceedingPipeline();
        var run = await Run(Environment(("OTEL_EXPORTER_OTLP_ENDPOINT", collector.Endpoint), ("OTEL_EXPORTER_OTLP_TIMEOUT", "1000")));
        Assert.True(run.ExitCode == 0, run.All);
        var warning = Assert.Single(PipelineLog.Split('\n'), l => l.Contains("[WARNING]", StringComparison.Ordinal));
        Assert.Contains("OpenTelemetry collector", warning, StringComparison.Ordinal);
        Assert.Contains("no answer within 1 s", warning, StringComparison.Ordinal);
        var events = File.ReadAllLines(Path.Combine(Job, "logs", "events.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        var finished = DateTimeOffset.Parse((string)events.Last(e => (string?)e["event"] == "job_finished")["ts"]!,
            System.Globalization.CultureInfo.InvariantCulture);
        var heldAfterTheRun = DateTimeOffset.UtcNow - finished;
        // The wait is one export timeout plus one second (2 s here). The bound is a safety net that leaves a busy machine
        // room to end the process: a run that waited for the collector would be held its 60 s.
        Assert.True(heldAfterTheRun < TimeSpan.FromSeconds(20), $"the process ended {heldAfterTheRun.TotalSeconds:0.0}s after the run finished");
        // The export was sent: the collector may finish reading it only after the run gave up on it and ended.
        await collector.FirstRequest.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.NotEmpty(collector.Requests);
    }

    [Fact]
    public async Task A_bad_endpoint_is_refused_by_name_and_no_endpoint_exports_nothing()
    {
        WriteSucceedingPipeline();
        var bad = await Run(Environment(), "--otlp-endpoint", "localhost:4318");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--otlp-endpoint is 'localhost:4318', not an http:// or https:// URL", bad.Stderr, StringComparison.Ordinal);
        // A refused endpoint is echoed without what may be its credentials.
        var secret = await Run(Environment(), "--otlp-endpoint", "ftp://collector:s3cr3t-token@otel.example:4318/v1?key=k3y");
        Assert.Equal(2, secret.ExitCode);
        Assert.Contains("--otlp-endpoint is 'ftp://otel.example:4318/v1?…'", secret.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-token", secret.All, StringComparison.Ordinal);
        Assert.DoesNotContain("k3y", secret.All, StringComparison.Ordinal);
        var timeout = await Run(Environment(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1"), ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon")));
        Assert.Equal(2, timeout.ExitCode);
        Assert.Contains("OTEL_EXPORTER_OTLP_TIMEOUT is 'soon', not a number of milliseconds", timeout.Stderr, StringComparison.Ordinal);

        var plain = await Run(Environment());
        Assert.True(plain.ExitCode == 0, plain.All);
        Assert.DoesNotContain("OpenTelemetry", PipelineLog, StringComparison.Ordinal);
    }
}
