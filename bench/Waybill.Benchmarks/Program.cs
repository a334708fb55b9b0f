using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Waybill.Benchmarks;

// `hash FILE [xxh128|sha256] [repeats]`: times FileHasher alone (used by bench/scripts/hash-vs-coreutils.sh).
if (args.Length > 0 && args[0] == "hash") return HashTool.Run(args[1..]);
// `hash-tree FOLDER [xxh128|sha256] [parallelism] [repeats]`: cold hashing of many files (bench/scripts/hash-tree-vs-coreutils.sh).
if (args.Length > 0 && args[0] == "hash-tree") return HashTreeTool.Run(args[1..]);
// `logging-run FOLDER [LINES] [ROUNDS]`: whole-run logging rate with every line counted afterwards.
if (args.Length > 0 && args[0] == "logging-run") return LoggingRunTool.Run(args[1..]);
// `lifecycle-run FOLDER [STAGES] [ROUNDS]`: empty stage lifecycles through StageRunner, best and median per stage.
if (args.Length > 0 && args[0] == "lifecycle-run") return await LifecycleRunTool.RunAsync(args[1..]);
// `subtitles-bare VIDEO FOLDER [MODEL]`: the subtitle job's work without the engine (bench/scripts/subtitles-vs-bare.sh).
if (args.Length > 0 && args[0] == "subtitles-bare") return await SubtitlesBareTool.RunAsync(args[1..]);
// `tiny-whisper-model FILE`: writes the tests' generated tiny Whisper model (bench/scripts/whisper-overhead.sh).
if (args.Length > 0 && args[0] == "tiny-whisper-model")
{
    Console.WriteLine(new Waybill.Tests.Support.TinyWhisperModel().WriteTo(args[1]));
    return 0;
}

// Benchmarks run in this process (no generated project is built), so the suite needs nothing but this build.
// The default job is short (3 warm-up and 5 measured iterations); --warmupCount/--iterationCount change it.
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithIterationCount(5).WithToolchain(InProcessEmitToolchain.Instance).AsDefault())
    .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "waybill-bench-results"));
var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchDirs).Assembly).Run(args, config);
var failed = summaries.SelectMany(s => s.Reports).Where(r => !r.Success).Select(r => r.BenchmarkCase.DisplayInfo).ToList();
foreach (var name in failed) Console.Error.WriteLine($"benchmark failed: {name}");
return failed.Count > 0 || summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
