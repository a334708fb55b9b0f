using Waybill.Cli.Tests.Support;
using Waybill.Core.Manifests;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Report;

/// <summary>
/// The report of records a plain run does not leave: a resource samples file (written here as the sampler writes it,
/// named in the manifest's <c>resources.samples</c>), a cost (as a run with a rate card records it), and a stage.log
/// larger than the part the report reads.
/// </summary>
public sealed class ReportRecordsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task Run(params string[] arguments)
    {
        var result = await CliProcess.RunAsync(_temp.Path, arguments);
        Assert.True(result.ExitCode is 0 or 1, result.All);
    }

    [Fact]
    public async Task A_stage_with_a_samples_file_gets_its_curves_and_its_cost_and_one_without_says_no_samples()
    {
        _temp.Write("waybill.yaml", """
            name: curves
            stages:
              - id: 01_work
                run: echo done > {out.o}
                outputs: { o: o.txt }
              - id: 02_plain
                run: echo plain > {out.o}
                outputs: { o: o.txt }
            """);
        await Run("run", "waybill.yaml", "--job-id", "c");
        var stageDir = _temp.Combine("out", "c", "01_work");
        var rows = Enumerable.Range(1, 30).Select(i => $"{i * 0.5:0.0}\t{(i % 3) * 40}\t{50 + i}\t{i * 4096}\t{i * 1024}\t\t");
        File.WriteAllText(Path.Combine(stageDir, "resource_samples.tsv"),
            "elapsed_seconds\tcpu_percent\trss_mb\tread_bytes\twrite_bytes\tgpu_percent\tgpu_memory_mb\n" + string.Join('\n', rows) + "\n");
        var manifestPath = Path.Combine(stageDir, "manifest.json");
        var manifest = ManifestJson.ReadStage(manifestPath);
        manifest.Resources.Samples = new ResourceSamples { File = "resource_samples.tsv", IntervalSeconds = 0.5, Count = 30 };
        // And a cost, as a run with a rate card records it.
        CostLine[] lines = [new() { Unit = "cpu_hour", Quantity = 0.5, Rate = 0.04, Amount = 0.02, Source = "measured" }];
        manifest.Cost = new StageCost { Currency = "EUR", Total = 0.02, Lines = [.. lines] };
        ManifestJson.Write(manifestPath, manifest);
        var jobPath = _temp.Combine("out", "c", "manifest.json");
        var job = ManifestJson.ReadJob(jobPath);
        job.Cost = new StageCost { Currency = "EUR", Total = 0.02, Lines = [.. lines] };
        ManifestJson.Write(jobPath, job);

        await Run("report", "c", "--output", "c.html");

        var data = ReportJobsFixture.Data(File.ReadAllText(_temp.Combine("c.html")));
        var curves = ReportJobsFixture.Stage(data, "01_work")["curves"]!;
        Assert.Equal(30, curves["rows"]!.GetValue<int>());
        Assert.Equal(30, curves["n"]!.GetValue<int>());
        Assert.Equal(15, curves["t"]![0]!.GetValue<double>()); // each curve: its peak, then its points
        Assert.Equal(60, curves["t"]![1]!.GetValue<string>().Length);
        Assert.Equal(80, curves["cpu"]![0]!.GetValue<double>());
        Assert.Null(curves["gpu"]); // an empty column is left out
        Assert.Equal("no samples", ReportJobsFixture.Stage(data, "02_plain")["curvesNote"]!.GetValue<string>());
        Assert.Equal(0.02, ReportJobsFixture.Stage(data, "01_work")["cost"]!["total"]!.GetValue<double>());
        Assert.Equal("EUR", data["job"]!["cost"]!["currency"]!.GetValue<string>());

        await using var browser = await ChromiumDevTools.StartAsync(_temp.Path, 1400, 1000);
        await browser.OpenAsync(_temp.Combine("c.html"), "#stage=01_work");
        var charts = (await browser.EvaluateAsync("""
            ({ curves: document.querySelectorAll('#details svg.curve path').length,
               sparks: document.querySelectorAll('#stage-table svg.spark path').length,
               text: document.querySelector('#details .charts').textContent,
               details: document.getElementById('details').textContent,
               cost: document.getElementById('cost-list').textContent })
            """))!;
        Assert.Equal(4, charts["curves"]!.GetValue<int>()); // CPU, memory, read, write
        Assert.Equal(1, charts["sparks"]!.GetValue<int>());
        Assert.Contains("30 samples over 15.0 s", charts["text"]!.GetValue<string>());
        Assert.Contains("Cost: 0.0200 EUR", charts["details"]!.GetValue<string>());
        Assert.Contains("Total: 0.0200 EUR", charts["cost"]!.GetValue<string>());
        Assert.Contains("01_work: 0.0200 EUR", charts["cost"]!.GetValue<string>());
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task A_run_with_sampling_and_a_rate_card_gets_its_own_curves_and_cost_into_the_report()
    {
        // The producers themselves: the sampler writes the samples file, the rate card prices the stage run. After 1.5 s
        // of busy loop the stage waits for its third row (30 s at most, a safety net): a busy machine's timer ticks late.
        _temp.Write("waybill.yaml", """
            name: measured
            cost:
              currency: EUR
              rates: { cpu_hour: 36, memory_gb_hour: 2 }
            stages:
              - id: 01_busy
                run: "end=$(($(date +%s%N) + 1500000000)); while [ $(date +%s%N) -lt $end ]; do :; done; ROWS; echo done > {out.o}"
                outputs: { o: o.txt }
                sample_interval: 250ms
            """.Replace("ROWS", "n=0; while [ $n -lt 600 ] && [ $(cat resource_samples.tsv 2>/dev/null | wc -l) -le 3 ]; "
                + "do sleep 0.05; n=$((n+1)); done", StringComparison.Ordinal));
        await Run("run", "waybill.yaml", "--job-id", "m");
        var manifest = ManifestJson.ReadStage(_temp.Combine("out", "m", "01_busy", "manifest.json"));
        var samples = Assert.IsType<ResourceSamples>(manifest.Resources.Samples);
        Assert.True(samples.Count >= 3, $"{samples.Count} samples");
        var cost = Assert.IsType<StageCost>(manifest.Cost);
        Assert.True(cost.Total > 0);

        await Run("report", "m", "--output", "m.html");

        var data = ReportJobsFixture.Data(File.ReadAllText(_temp.Combine("m.html")));
        var stage = ReportJobsFixture.Stage(data, "01_busy");
        Assert.Equal(samples.Count, stage["curves"]!["rows"]!.GetValue<int>());
        Assert.True(stage["curves"]!["cpu"]![0]!.GetValue<double>() > 0, "the busy loop's CPU peak"); // any share of a core: the machine may be busy
        Assert.Equal(cost.Total, stage["cost"]!["total"]!.GetValue<double>(), 6); // the page shows six decimals
        Assert.Equal("EUR", data["job"]!["cost"]!["currency"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_in_process_stage_s_shared_figures_are_marked_shared_in_the_report()
    {
        _temp.Write("in.txt", "data");
        _temp.Write("waybill.yaml", """
            name: shared
            stages:
              - id: 01_copy
                uses: copy
                inputs: { src: in.txt }
                outputs: { src: out.txt }
            """);
        await Run("run", "waybill.yaml", "--job-id", "s");
        await Run("report", "s", "--output", "s.html");
        var data = ReportJobsFixture.Data(File.ReadAllText(_temp.Combine("s.html")));
        var shared = ReportJobsFixture.Stage(data, "01_copy")["res"]!["shared"]!.AsArray().Select(f => (string)f!).ToList();
        Assert.Contains("peak_rss", shared);

        await using var browser = await ChromiumDevTools.StartAsync(_temp.Path, 1200, 900);
        await browser.OpenAsync(_temp.Combine("s.html"), "#stage=01_copy");
        var text = (await browser.EvaluateAsync("({ d: document.getElementById('details').textContent })"))!["d"]!.GetValue<string>();
        Assert.Contains("(the engine's, shared with other stages: not this stage's own)", text, StringComparison.Ordinal);
        // What the engine can tell apart is shown beside it: the CPU time of the stage's own code.
        Assert.NotNull(ReportJobsFixture.Stage(data, "01_copy")["res"]!["codeCpu"]);
        Assert.Contains("CPU time of its own code", text, StringComparison.Ordinal);
        Assert.Contains("(on the engine's threads)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_huge_stage_log_is_searched_only_at_its_end_and_the_report_stays_small()
    {
        // 10 MiB of stderr (each line logged to stage.log), then the failure the report must find.
        _temp.Write("waybill.yaml", """
            name: noisy
            stages:
              - id: 01_noisy
                run: '(head -c 10485760 /dev/zero | tr "\0" "x" | fold -w 1000; echo; echo "gave up") >&2; exit 2'
                outputs: { o: o.txt }
            """);
        await Run("run", "waybill.yaml", "--job-id", "n");
        var log = new FileInfo(_temp.Combine("out", "n", "01_noisy", "stage.log"));
        Assert.True(log.Length > 10 << 20);

        await Run("report", "n", "--output", "n.html");

        var html = new FileInfo(_temp.Combine("n.html"));
        Assert.True(html.Length < 200 << 10, $"{html.Length} bytes");
        var data = ReportJobsFixture.Data(File.ReadAllText(html.FullName));
        var error = Assert.Single(ReportJobsFixture.Stage(data, "01_noisy")["problems"]!.AsArray())!;
        Assert.Equal("command exited with code 2: gave up", error["msg"]!.GetValue<string>());
        var excerpt = data["logs"]![error["log"]!.GetValue<int>()]!;
        Assert.StartsWith("the last 8 MiB of the log", excerpt["from"]!.GetValue<string>());
        var lines = excerpt["lines"]!.AsArray().Select(l => l!.GetValue<string>()).ToList();
        Assert.EndsWith("[ERROR] command exited with code 2: gave up", lines[excerpt["hit"]!.GetValue<int>()]);
        Assert.Contains(lines, l => l.EndsWith(" more characters)", StringComparison.Ordinal)); // lines of 1,000 x's are cut
    }
}
