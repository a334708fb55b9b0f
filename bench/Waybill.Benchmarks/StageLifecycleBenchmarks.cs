using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Pipeline;
using Waybill.Core.Secrets;
using Waybill.Core.Stages;

namespace Waybill.Benchmarks;

/// <summary>
/// The whole life of a stage that does nothing: its folder, logger and stage.log, the "running" manifest, then the
/// final manifest (both written atomically). Target: at most 0.1 ms on tmpfs and 1 ms on disk. Every stage gets a
/// new folder; each invocation runs <see cref="StagesPerJob"/> stages in a new job folder and reports per stage.
/// </summary>
[MemoryDiagnoser]
public class StageLifecycleBenchmarks
{
    private const int StagesPerJob = 200;

    private PipelineDefinition _pipeline = null!;
    private string _dir = null!;
    private int _jobs;

    [ParamsSource(nameof(Roots))]
    public string Root { get; set; } = "";

    public static IEnumerable<string> Roots() => BenchDirs.Roots();

    [GlobalSetup]
    public void Setup()
    {
        _dir = BenchDirs.Fresh(Root, "lifecycle");
        var builder = new PipelineBuilder("lifecycle", _dir);
        for (var i = 1; i <= StagesPerJob; i++) builder.Stage($"{i:D4}_s{i}", () => new EmptyStage());
        _pipeline = builder.Build();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Spot check: the last job holds every stage folder with a final manifest and a stage.log.
        var last = Path.Combine(_dir, $"job{_jobs:D6}");
        foreach (var stage in _pipeline.Stages)
        {
            var manifest = Waybill.Core.Manifests.ManifestJson.ReadStage(Path.Combine(last, stage.Id, "manifest.json"));
            if (manifest.Status != "success" && manifest.Status != "running")
                throw new InvalidOperationException($"{stage.Id}: status {manifest.Status}");
            if (!File.Exists(Path.Combine(last, stage.Id, "stage.log")))
                throw new InvalidOperationException($"{stage.Id}: no stage.log");
        }
        BenchDirs.Remove(_dir);
    }

    /// <summary>StageRunner.RunAsync alone, one stage after another (the job folder and run logs are opened once per 200 stages).</summary>
    [Benchmark(OperationsPerInvoke = StagesPerJob, Baseline = true)]
    public async Task StageRunner_EmptyStage()
    {
        var layout = new JobLayout(Path.Combine(_dir, $"job{++_jobs:D6}"));
        Directory.CreateDirectory(layout.LogsDir);
        using var logging = new RunLogging(layout, new Redactor(), TimeProvider.System, null, LogLevel.Information, legacyStageLogs: false);
        var services = new RunServices(TimeProvider.System, new Redactor(), new ChecksumCache(_pipeline.Checksum), logging.OpenStage);
        var position = 0;
        foreach (var stage in _pipeline.Stages)
            await StageRunner.RunAsync(new StageInvocation(_pipeline, stage, layout, "run", ++position, StagesPerJob), services, CancellationToken.None);
    }

    /// <summary>A whole `run` of 200 empty stages (scheduling, pipeline log, events, job manifest included), per stage.</summary>
    [Benchmark(OperationsPerInvoke = StagesPerJob)]
    public async Task PipelineRunner_EmptyStage()
    {
        var result = await PipelineRunner.RunAsync(_pipeline, new RunOptions { OutputRoot = _dir, JobId = $"job{++_jobs:D6}", MaxParallel = 1 }, CancellationToken.None);
        if (result.Status != Waybill.Core.Manifests.StageStatus.Success) throw new InvalidOperationException($"run ended {result.Status}");
    }

    private sealed class EmptyStage : IStage
    {
        public Task RunAsync(StageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
