using System.Globalization;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Protocol;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Cost;

/// <summary>
/// The rate card: measured CPU and memory and reported units priced into each stage manifest and the job manifest, shown
/// in the run's table and by <c>waybill status</c>; bad cards refused with file:line:column; no card, no cost.
/// </summary>
public sealed class CostTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly ProtocolJob _job;

    public CostTests() => _job = new ProtocolJob(_temp);

    public void Dispose() => _temp.Dispose();

    // A shell loop that keeps one core busy for a measurable fraction of a second.
    private const string Burn = "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo $i > {out.o}";

    // 36 per CPU hour is 0.01 per CPU second: the amounts are easy to check by eye.
    private static string CardPipeline(string rates = "cpu_hour: 36\n    memory_gb_hour: 2") => $$"""
        cost:
          currency: EUR
          rates:
            {{rates}}
        stages:
          - id: 01_burn
            run: '{{Burn}}'
            outputs: { o: o.txt }
          - id: 02_copy
            inputs: { i: 01_burn.o }
            run: cp {in.i} {out.o}
            outputs: { o: o.txt }
        """;

    private static double Number(JsonNode? node) => node!.GetValue<double>();

    private static JsonNode Line(JsonNode cost, string unit) =>
        cost["lines"]!.AsArray().Single(l => l!["unit"]!.GetValue<string>() == unit)!;

    [Fact]
    public async Task A_command_stage_s_cpu_and_memory_are_priced_in_its_manifest_the_job_manifest_the_table_and_status()
    {
        var run = await _job.RunAsync(CardPipeline());
        Assert.True(run.ExitCode == 0, run.All);

        var burn = _job.Manifest("01_burn");
        var resources = burn["resources"]!;
        var cost = burn["cost"]!;
        Assert.Equal("EUR", cost["currency"]!.GetValue<string>());
        var cpu = Line(cost, "cpu_hour");
        Assert.True(Number(resources["cpu_seconds"]) > 0.01, resources.ToJsonString());
        Assert.Equal(Math.Round(Number(resources["cpu_seconds"]) / 3600, 9), Number(cpu["quantity"]), 9);
        Assert.Equal(36, Number(cpu["rate"]));
        Assert.Equal(Math.Round(Number(cpu["quantity"]) * 36, 9), Number(cpu["amount"]), 9);
        Assert.Equal("measured", cpu["source"]!.GetValue<string>());
        var memory = Line(cost, "memory_gb_hour");
        var gibHours = Number(resources["peak_rss_mb"]) / 1024 * Number(resources["wall_seconds"]) / 3600;
        Assert.Equal(Math.Round(gibHours, 9), Number(memory["quantity"]), 9);
        Assert.Equal(Number(cpu["amount"]) + Number(memory["amount"]), Number(cost["total"]), 8);
        Assert.DoesNotContain(cost["lines"]!.AsArray(), l => l!["unit"]!.GetValue<string>() == "gpu_hour");

        var job = JsonNode.Parse(File.ReadAllText(Path.Combine(_job.JobDir, "manifest.json")))!;
        var copyCost = _job.Manifest("02_copy")["cost"]!;
        Assert.Equal(Number(cost["total"]) + Number(copyCost["total"]), Number(job["cost"]!["total"]), 8);
        Assert.Equal(Number(cpu["amount"]) + Number(Line(copyCost, "cpu_hour")["amount"]), Number(Line(job["cost"]!, "cpu_hour")["amount"]), 8);
        JobAssert.ManifestsAreValid(_job.JobDir);

        var total = Number(job["cost"]!["total"]).ToString("0.######", CultureInfo.InvariantCulture);
        Assert.Matches(@"STAGE .* COST +REASON", run.Stdout);
        Assert.Contains($"Cost:         {total} EUR this run (cpu_hour ", run.Stdout, StringComparison.Ordinal);
        var burnCost = Number(cost["total"]).ToString("0.######", CultureInfo.InvariantCulture);
        Assert.Matches($@"01_burn +success .* {burnCost.Replace(".", "\\.", StringComparison.Ordinal)} ", run.Stdout);

        var status = await CliProcess.RunAsync(_temp.Path, "status", "j");
        Assert.True(status.ExitCode == 0, status.All);
        Assert.Matches(@"STAGE .* COST +REASON", status.Stdout);
        Assert.Contains($"Cost:         {total} EUR this run", status.Stdout, StringComparison.Ordinal);
        var json = await CliProcess.RunAsync(_temp.Path, "status", "j", "--json");
        Assert.Equal(Number(job["cost"]!["total"]), Number(JsonNode.Parse(json.Stdout)!["cost"]!["total"]));
    }

    [Fact]
    public async Task A_stage_given_gpus_pays_gpu_hours_for_each_over_its_wall_time_and_one_without_gpus_pays_none()
    {
        // --gpus hands out device indices whether or not a driver is here; no model was measured, so the default rate applies.
        var run = await _job.RunAsync("""
            cost:
              rates:
                gpu_hour: { "NVIDIA H200": 3.5, default: 7200 }
            stages:
              - id: 01_gpu
                gpus: 2
                run: 'sleep 0.2'
              - id: 02_cpu
                run: 'true'
            """, "--gpus", "2");
        Assert.True(run.ExitCode == 0, run.All);
        var manifest = _job.Manifest("01_gpu");
        Assert.Equal(2, manifest["resources"]!["gpu_devices"]!.AsArray().Count);
        var gpu = Line(manifest["cost"]!, "gpu_hour");
        Assert.Equal(7200, Number(gpu["rate"]));
        Assert.Equal(Math.Round(2 * Number(manifest["resources"]!["wall_seconds"]) / 3600, 9), Number(gpu["quantity"]), 9);
        Assert.True(Number(gpu["amount"]) >= 0.4 * 2, gpu.ToJsonString());
        Assert.Empty(_job.Manifest("02_cpu")["cost"]!["lines"]!.AsArray());
    }

    [Fact]
    public async Task A_new_price_reruns_nothing_and_a_rerun_that_finds_every_stage_up_to_date_costs_nothing()
    {
        Assert.Equal(0, (await _job.RunAsync(CardPipeline())).ExitCode);
        var before = _job.Manifest("01_burn")["cost"]!.ToJsonString();

        var rerun = await _job.RunAsync(CardPipeline("cpu_hour: 72\n    memory_gb_hour: 2"));
        Assert.True(rerun.ExitCode == 0, rerun.All);
        Assert.Contains("2 skipped (2 up to date)", rerun.Stdout, StringComparison.Ordinal);
        // The stage's record keeps what its work cost when it ran; this run did no work.
        Assert.Equal(before, _job.Manifest("01_burn")["cost"]!.ToJsonString());
        var job = JsonNode.Parse(File.ReadAllText(Path.Combine(_job.JobDir, "manifest.json")))!;
        Assert.Equal(0, Number(job["cost"]!["total"]));
        Assert.Empty(job["cost"]!["lines"]!.AsArray());
        Assert.Contains("Cost:         0 EUR this run", rerun.Stdout, StringComparison.Ordinal);
        // Nor does the table charge this run with what the up-to-date stage cost when it ran.
        var row = rerun.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith("01_burn", StringComparison.Ordinal));
        Assert.DoesNotMatch(@"\d\.\d{6}", row);
    }

    [Fact]
    public async Task Units_reported_by_python_and_bash_stages_are_added_up_and_priced()
    {
        _temp.Write("stage.py", """
            import os
            from waybill import StageIO
            io = StageIO("py", os.environ["WAYBILL_JOB_DIR"])
            io.report_usage("tokens", 1000)
            io.report_usage("tokens", 234)
            io.report_usage("api_calls", 2)
            io.finalize()
            """);
        var run = await _job.RunAsync("""
            cost:
              rates: { cpu_hour: 0.04, tokens: 0.000002, api_calls: 0.5 }
            stages:
              - id: 01_py
                inputs: { script: stage.py }
                run: python3 {in.script}
                reports: [tokens, api_calls]
              - id: 02_sh
                run: |
                  waybill stage usage tokens 500
                  echo '{"type":"usage","unit":"tokens","quantity":250}' >> "$WAYBILL_STAGE_CHANNEL"
                reports: [tokens]
            """);
        Assert.True(run.ExitCode == 0, run.All);

        var py = _job.Manifest("01_py");
        Assert.Equal(1234, Number(py["resources"]!["usage"]!["tokens"]));
        var tokens = Line(py["cost"]!, "tokens");
        Assert.Equal(1234, Number(tokens["quantity"]));
        Assert.Equal(0.002468, Number(tokens["amount"]), 9);
        Assert.Equal("reported", tokens["source"]!.GetValue<string>());
        Assert.Equal(1.0, Number(Line(py["cost"]!, "api_calls")["amount"]), 9);
        Assert.Equal("USD", py["cost"]!["currency"]!.GetValue<string>());

        var sh = _job.Manifest("02_sh");
        Assert.Equal(750, Number(sh["resources"]!["usage"]!["tokens"]));
        Assert.Equal(0.0015, Number(Line(sh["cost"]!, "tokens")["amount"]), 9);

        var job = JsonNode.Parse(File.ReadAllText(Path.Combine(_job.JobDir, "manifest.json")))!;
        var jobTokens = Line(job["cost"]!, "tokens");
        Assert.Equal(1984, Number(jobTokens["quantity"]));
        Assert.Equal(0.003968, Number(jobTokens["amount"]), 9);
        Assert.Equal(0.000002, Number(jobTokens["rate"]), 12);
        JobAssert.ManifestsAreValid(_job.JobDir);
    }

    [Fact]
    public async Task A_bad_usage_message_is_a_warning_and_the_rest_is_kept()
    {
        var run = await _job.RunAsync("""
            cost:
              rates: { tokens: 1 }
            stages:
              - id: 01_sh
                run: |
                  echo '{"type":"usage","unit":"Tokens!","quantity":5}' >> "$WAYBILL_STAGE_CHANNEL"
                  echo '{"type":"usage","unit":"tokens","quantity":-5}' >> "$WAYBILL_STAGE_CHANNEL"
                  waybill stage usage tokens 3
                reports: [tokens]
            """);
        Assert.True(run.ExitCode == 0, run.All);
        var warnings = _job.Warnings("01_sh");
        Assert.Contains(warnings, w => w.Contains("line 1: usage: \"unit\": 'Tokens!' is not a unit name", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("line 2: usage: \"quantity\" is -5, not a number zero or more", StringComparison.Ordinal));
        Assert.Equal(3, Number(Line(_job.Manifest("01_sh")["cost"]!, "tokens")["amount"]));
    }

    [Fact]
    public async Task Without_a_rate_card_nothing_records_or_shows_a_cost()
    {
        var pipeline = CardPipeline();
        var run = await _job.RunAsync(pipeline[pipeline.IndexOf("stages:", StringComparison.Ordinal)..]);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Null(_job.Manifest("01_burn")["cost"]);
        Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(_job.JobDir, "manifest.json")))!["cost"]);
        Assert.DoesNotContain("COST", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Cost:", run.Stdout, StringComparison.Ordinal);
        var status = await CliProcess.RunAsync(_temp.Path, "status", "j");
        Assert.DoesNotContain("COST", status.Stdout, StringComparison.Ordinal);
    }

    private async Task<string> Refused(string yaml)
    {
        _temp.Write("waybill.yaml", yaml);
        var validate = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.Equal(2, validate.ExitCode);
        Assert.Equal(2, run.ExitCode);
        Assert.False(Directory.Exists(_temp.Combine("out")), "an invalid pipeline must not create a job folder");
        return validate.Stderr;
    }

    [Fact]
    public async Task A_rate_card_with_an_unknown_unit_a_negative_price_or_a_bad_currency_is_refused_with_every_place()
    {
        var errors = await Refused("""
            cost:
              currency: euro
              rates:
                cpu_hour: -0.04
                tokns: 0.000002
                memory_gb_hour: cheap
                gpu_hour: { "NVIDIA H200": -3.5, default: 2 }
            stages:
              - id: 01_a
                run: 'true'
                reports: [tokens]
            """);
        Assert.Contains("waybill.yaml:2:13: cost.currency: currency 'euro' is not a currency code (give the three capital letters", errors);
        Assert.Contains("waybill.yaml:4:15: cost.rates.cpu_hour: price -0.04 is negative", errors);
        Assert.Contains("waybill.yaml:5:5: cost.rates: unknown unit 'tokns' (did you mean 'tokens'?", errors);
        Assert.Contains("waybill.yaml:6:21: cost.rates.memory_gb_hour: price 'cheap' is not a number", errors);
        Assert.Contains("waybill.yaml:7:32: cost.rates.gpu_hour.NVIDIA H200: price -3.5 is negative", errors);
    }

    [Fact]
    public async Task A_unit_no_stage_reports_is_refused_and_a_bad_unit_name_in_reports_too()
    {
        var errors = await Refused("""
            cost:
              rates: { api_calls: 0.5 }
            stages:
              - id: 01_a
                run: 'true'
                reports: [cpu_hour, Tokens]
            """);
        Assert.Contains("waybill.yaml:2:12: cost.rates: unknown unit 'api_calls'", errors);
        Assert.Contains("declares it: reports: [api_calls]", errors);
        Assert.Contains("waybill.yaml:6:15: 01_a.reports: 'cpu_hour' is measured by the engine, not reported", errors);
        Assert.Contains("waybill.yaml:6:25: 01_a.reports: 'Tokens' is not a unit name", errors);
    }
}
