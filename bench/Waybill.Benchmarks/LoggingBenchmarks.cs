using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging;
using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Secrets;

namespace Waybill.Benchmarks;

/// <summary>
/// A stage logging through RunLogging with no console: every line goes to stage.log and events.jsonl, INFO lines
/// to the pipeline log too. Half the lines are DEBUG, half INFO. Target: at least 1,000,000 lines/s.
/// After the run every file is read back and its lines counted: a lost line fails the benchmark.
/// </summary>
[MemoryDiagnoser]
public class LoggingBenchmarks
{
    private const int Lines = 10_000;

    private string _dir = null!;
    private JobLayout _layout = null!;
    private RunLogging _logging = null!;
    private StageLogHandle _stage = null!;
    private long _debug;
    private long _info;

    [ParamsSource(nameof(Roots))]
    public string Root { get; set; } = "";

    public static IEnumerable<string> Roots() => BenchDirs.Roots();

    [GlobalSetup(Targets = [nameof(OneThread)])]
    public void SetupOne() => Open("one");

    [GlobalSetup(Targets = [nameof(TwoThreads)])]
    public void SetupTwo() => Open("two");

    private void Open(string name)
    {
        _dir = BenchDirs.Fresh(Root, "logging-" + name);
        _layout = new JobLayout(Path.Combine(_dir, "job"));
        var redactor = new Redactor();
        // As in a real run: secret-looking environment variables are masked in every line.
        redactor.AddSecretEnvironment(Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? "")));
        _logging = new RunLogging(_layout, redactor, TimeProvider.System, console: null, LogLevel.Information, legacyStageLogs: false);
        _stage = _logging.OpenStage("03_transcribe", "transcribe");
        _debug = _info = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stage.Dispose();
        _logging.Dispose();
        var total = _debug + _info;
        var stageLog = CountLines(_layout.StageLogPath("03_transcribe"));
        var pipelineLog = CountLines(_logging.PipelineLogPath);
        var events = CountLines(_layout.EventsPath);
        var report = $"logging check ({_dir}): logged {total:N0} lines ({_debug:N0} DEBUG, {_info:N0} INFO); "
            + $"stage.log {stageLog:N0}, pipeline log {pipelineLog:N0}, events.jsonl {events:N0}";
        Console.WriteLine(report);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "waybill-bench-logging-check.txt"), report + Environment.NewLine);
        BenchDirs.Remove(_dir);
        if (stageLog != total || pipelineLog != _info || events != total)
            throw new InvalidOperationException("lines were lost: " + report);
    }

    /// <summary>One stage logging from one thread.</summary>
    [Benchmark(OperationsPerInvoke = Lines, Baseline = true)]
    public void OneThread()
    {
        Log(_stage.Logger, Lines);
        _debug += Lines / 2;
        _info += Lines / 2;
    }

    /// <summary>Two threads of one stage logging at once (same files, so they contend for the sinks' locks).</summary>
    [Benchmark(OperationsPerInvoke = Lines)]
    public void TwoThreads()
    {
        var logger = _stage.Logger;
        Parallel.Invoke(() => Log(logger, Lines / 2), () => Log(logger, Lines / 2));
        _debug += Lines / 2;
        _info += Lines / 2;
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
