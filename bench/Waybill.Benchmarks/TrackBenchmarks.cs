using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Waybill.Core.Execution;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Secrets;
using Waybill.Core.Stages;

namespace Waybill.Benchmarks;

/// <summary>
/// StageContext.TrackInput / TrackOutput: recording a file in the manifest (no stat, no hash: those happen once,
/// when the stage finalizes). Target: at most 2 µs per call. Nothing touches the disk.
/// </summary>
[MemoryDiagnoser]
public class TrackBenchmarks
{
    private const int Files = 1000;
    private static readonly KeyValuePair<string, object?>[] Metadata = [new("language", "en"), new("duration_s", 12.5)];

    private PipelineDefinition _pipeline = null!;
    private StageDefinition _stage = null!;
    private JobLayout _layout = null!;
    private string[] _outputs = null!;
    private string[] _externalInputs = null!;
    private StageContext _reused = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pipeline = new PipelineBuilder("track", "/data/pipelines")
            .Stage("01_work", () => new NoOpStage(), s => s.Output("result", "result.json"))
            .Build();
        _stage = _pipeline.Stages[0];
        _layout = new JobLayout("/data/out/20250101_120000_abcd");
        var stageDir = _layout.StageDir(_stage.Id);
        _outputs = [.. Enumerable.Range(0, Files).Select(i => Path.Combine(stageDir, "parts", $"part_{i:D4}.json"))];
        _externalInputs = [.. Enumerable.Range(0, Files).Select(i => $"/data/corpus/audio/file_{i:D4}.wav")];
        _reused = NewContext();
    }

    private StageContext NewContext()
    {
        var manifest = new StageManifest
        {
            Stage = _stage.Name, StageId = _stage.Id, StageNumber = _stage.Number, JobId = _layout.JobId, RunId = "run",
            Kind = "code", Host = "bench", WaybillVersion = RunServices.Version,
        };
        return new StageContext(_stage, _pipeline, _layout, manifest, NullLogger.Instance, new Redactor(), TimeProvider.System, new JsonObject());
    }

    /// <summary>A new output inside the stage folder (the common case): 1000 distinct files per fresh context.</summary>
    [Benchmark(OperationsPerInvoke = Files, Baseline = true)]
    public FileRecord TrackOutput_NewFile()
    {
        var context = NewContext();
        FileRecord last = null!;
        foreach (var path in _outputs) last = context.TrackOutput(path, "json");
        return last;
    }

    /// <summary>A new input outside the job folder (recorded as an external, absolute path).</summary>
    [Benchmark(OperationsPerInvoke = Files)]
    public FileRecord TrackInput_NewExternalFile()
    {
        var context = NewContext();
        FileRecord last = null!;
        foreach (var path in _externalInputs) last = context.TrackInput(path, "audio");
        return last;
    }

    /// <summary>Tracking a file already tracked: the record is updated in place.</summary>
    [Benchmark(OperationsPerInvoke = Files)]
    public FileRecord TrackOutput_SameFileAgain()
    {
        FileRecord last = null!;
        var path = _outputs[0];
        for (var i = 0; i < Files; i++) last = _reused.TrackOutput(path, "json");
        return last;
    }

    /// <summary>A new output with two metadata values and a name.</summary>
    [Benchmark(OperationsPerInvoke = Files)]
    public FileRecord TrackOutput_NewFileWithMetadata()
    {
        var context = NewContext();
        FileRecord last = null!;
        foreach (var path in _outputs) last = context.TrackOutput(path, "json", "json", Metadata, "part");
        return last;
    }

    private sealed class NoOpStage : IStage
    {
        public Task RunAsync(StageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
