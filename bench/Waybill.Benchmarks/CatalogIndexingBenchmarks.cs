using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Waybill.Catalog;

namespace Waybill.Benchmarks;

/// <summary>
/// What a run's indexing costs per stage run: the catalog opened (and what the last run left in SQLite's log copied into
/// it), <see cref="StagesPerJob"/> command-stage rows written in the batches a run writes (64, then the rest with the
/// job's totals), and closed; one new job per invocation, into a catalog that already holds <see cref="EarlierJobs"/>
/// such jobs. CPU is what counts: at 500 stage runs on a machine whose cores the stages keep busy, each microsecond per
/// row is about 0.1% of the 500-stage benchmark's 0.4 s (bench/scripts/catalog-indexing-overhead.sh; target ≤ 1%).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(OneJobPerIteration))]
public class CatalogIndexingBenchmarks
{
    /// <summary>One job per iteration: the catalog grows by a run's rows per iteration, as it does per run.</summary>
    private sealed class OneJobPerIteration : ManualConfig
    {
        public OneJobPerIteration() => AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring).WithInvocationCount(1).WithUnrollFactor(1)
            .WithWarmupCount(3).WithIterationCount(25)
            .WithToolchain(InProcessEmitToolchain.Instance));
    }

    private const int StagesPerJob = 500;
    private const int BatchSize = 64;
    private const int EarlierJobs = 40;

    private string _dir = null!;
    private CatalogTarget _target = null!;
    private CatalogStore _store = null!;
    private int _jobs;

    [ParamsSource(nameof(Roots))]
    public string Root { get; set; } = "";

    public static IEnumerable<string> Roots() => BenchDirs.Roots();

    [GlobalSetup]
    public void Setup()
    {
        _dir = BenchDirs.Fresh(Root, "catalog");
        _target = CatalogTarget.Parse(Path.Combine(_dir, "catalog.db"));
        for (var i = 0; i < EarlierJobs; i++) Run();
    }

    [GlobalCleanup]
    public void Cleanup() => BenchDirs.Remove(_dir);

    /// <summary>One run's indexing of its 500 stage runs, per stage run.</summary>
    [Benchmark(OperationsPerInvoke = StagesPerJob)]
    public void Index_CommandStageRuns() => Run();

    private void Run()
    {
        using (_store = CatalogStore.Open(_target, [_dir], _ => { }, TimeProvider.System))
        {
            _store.Checkpoint();
            IndexJob();
        }
    }

    private void IndexJob()
    {
        var jobId = $"job{++_jobs:D6}";
        var started = DateTimeOffset.UtcNow;
        var job = new JobRow(Path.Combine(_dir, jobId), jobId, "bench", "run-1", "running", started, null, 0.4, "host", "0.1.0");
        var rows = new List<StageRunRow>(BatchSize);
        for (var i = 1; i <= StagesPerJob; i++)
        {
            rows.Add(Row(i, started.AddMilliseconds(i)));
            if (rows.Count < BatchSize && i < StagesPerJob) continue;
            var last = i == StagesPerJob;
            if (last) _store.StopCheckpointing();
            _store.Index(last ? job with { Status = "success", Finished = started.AddSeconds(0.4) } : job, rows, totals: last);
            rows.Clear();
        }
    }

    private static StageRunRow Row(int i, DateTimeOffset started) => new()
    {
        StageId = $"{i:D3}_s{i}",
        Stage = $"s{i}",
        StageNumber = i,
        RunId = "run-1",
        Status = "success",
        StatusReason = "never run before",
        Kind = "command",
        Started = started,
        Finished = started.AddMilliseconds(2),
        DurationSeconds = 0.002,
        CpuSeconds = 0.001,
        PeakRssMb = 3.5,
        ReadBytes = 0,
        WriteBytes = 4096,
        Host = "host",
        ExitCode = 0,
        ManifestPath = $"{i:D3}_s{i}/manifest.json",
    };
}
