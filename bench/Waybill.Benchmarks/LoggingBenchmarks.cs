using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.Logging;
using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Secrets;

namespace Waybill.Benchmarks;

/// <summary>
/// A stage logging through RunLogging with no console: every line goes to stage.log and events.jsonl, INFO lines
/// to the pipeline log too. Half the lines are DEBUG, half INFO. Target: at least 1,000,000 lines/s.
/// Every iteration logs <see cref="Lines"/> lines into a new job folder; afterwards the three files are closed,
/// read back and their lines counted (a lost line fails the benchmark), then deleted.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PerIterationFiles))]
public class LoggingBenchmarks
{
    /// <summary>One invocation per iteration (the files are opened before it and counted after it), run in-process.</summary>
    private sealed class PerIterationFiles : ManualConfig
    {
        public PerIterationFiles() => AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring).WithInvocationCount(1).WithUnrollFactor(1)
            .WithToolchain(InProcessEmitToolchain.Instance));
    }

    private const int Lines = 200_000;

    private string _dir = null!;
    private Redactor _redactor = null!;
    private JobLayout _layout = null!;
    private RunLogging _logging = null!;
    private StageLogHandle _stage = null!;
    private int _iteration;
    private long _checked;

    [ParamsSource(nameof(Roots))]
    public string Root { get; set; } = "";

    public static IEnumerable<string> Roots() => BenchDirs.Roots();

    [GlobalSetup]
    public void Setup()
    {
        _dir = BenchDirs.Fresh(Root, "logging");
        _redactor = new Redactor();
        // As in a real run: secret-looking environment variables are masked in every line.
        _redactor.AddSecretEnvironment(Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? "")));
        _checked = 0;
    }

    [IterationSetup]
    public void Open()
    {
        _layout = new JobLayout(Path.Combine(_dir, $"job{++_iteration:D4}"));
        _logging = new RunLogging(_layout, _redactor, TimeProvider.System, console: null, LogLevel.Information, legacyStageLogs: false);
        _stage = _logging.OpenStage("03_transcribe", "transcribe");
    }

    [IterationCleanup]
    public void CloseAndCount()
    {
        _stage.Dispose();
        _logging.Dispose();
        var stageLog = CountLines(_layout.StageLogPath("03_transcribe"));
        var pipelineLog = CountLines(_logging.PipelineLogPath);
        var events = CountLines(_layout.EventsPath);
        if (stageLog != Lines || pipelineLog != Lines / 2 || events != Lines)
            throw new InvalidOperationException($"lines were lost in {_layout.Root}: logged {Lines:N0} ({Lines / 2:N0} INFO); "
                + $"stage.log has {stageLog:N0}, pipeline log {pipelineLog:N0}, events.jsonl {events:N0}");
        _checked += Lines;
        Directory.Delete(_layout.Root, recursive: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var report = $"logging check ({_dir}): {_checked:N0} lines logged and every one found in stage.log and events.jsonl, every INFO line in the pipeline log";
        Console.WriteLine(report);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "waybill-bench-logging-check.txt"), report + Environment.NewLine);
        BenchDirs.Remove(_dir);
    }

    /// <summary>One stage logging from one thread.</summary>
    [Benchmark(OperationsPerInvoke = Lines, Baseline = true)]
    public void OneThread() => Log(_stage.Logger, Lines);

    /// <summary>Two threads of one stage logging at once (same files, so they contend for the sinks' locks).</summary>
    [Benchmark(OperationsPerInvoke = Lines)]
    public void TwoThreads()
    {
        var logger = _stage.Logger;
        Parallel.Invoke(() => Log(logger, Lines / 2), () => Log(logger, Lines / 2));
    }

    private static void Log(ILogger logger, int lines)
    {
        for (var i = 0; i < lines; i += 2)
        {
            logger.LogDebug("segment {Index} decoded in {Milliseconds} ms", i, 12);
            logger.LogInformation("segment {Index} written to {File}", i, "segments.jsonl");
        }
    }

    private static long CountLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
        var buffer = new byte[1 << 20];
        long count = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0) count += buffer.AsSpan(0, read).Count((byte)'\n');
        return count;
    }
}
