using BenchmarkDotNet.Attributes;
using Waybill.Core.Execution;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;

namespace Waybill.Benchmarks;

/// <summary>
/// What measuring a C# stage's own CPU time (<c>code_cpu_seconds</c>) costs a stage that awaits a lot: the same loop of
/// <see cref="Awaits"/> <c>await Task.Yield()</c> run as a stage (its flow metered) and run bare. The stage's own
/// lifecycle (folder, logs, manifests) is a fraction of a millisecond of the difference.
/// </summary>
[MemoryDiagnoser]
public class CodeCpuBenchmarks
{
    private const int Awaits = 100_000;

    private string _dir = null!;
    private PipelineDefinition _pipeline = null!;
    private int _jobs;

    [GlobalSetup]
    public void Setup()
    {
        _dir = BenchDirs.Fresh(BenchDirs.Roots().First(), "code-cpu");
        _pipeline = new PipelineBuilder("code-cpu", _dir).Stage("01_awaits", () => new AwaitingStage()).Build();
    }

    [GlobalCleanup]
    public void Cleanup() => BenchDirs.Remove(_dir);

    [Benchmark(Baseline = true)]
    public Task Bare() => Task.Run(YieldsAsync);

    [Benchmark]
    public async Task AsMeteredStage()
    {
        var options = new RunOptions { JobId = $"job{++_jobs:D6}", OutputRoot = _dir };
        var result = await PipelineRunner.RunAsync(_pipeline, options, CancellationToken.None);
        if (result.Stages[0].Manifest.Resources.CodeCpuSeconds is null) throw new InvalidOperationException("no code_cpu_seconds");
    }

    private static async Task YieldsAsync()
    {
        for (var i = 0; i < Awaits; i++) await Task.Yield();
    }

    private sealed class AwaitingStage : IStage
    {
        public Task RunAsync(StageContext context, CancellationToken cancellationToken) => YieldsAsync();
    }
}
