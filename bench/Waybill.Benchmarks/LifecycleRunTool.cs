using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Pipeline;
using Waybill.Core.Secrets;
using Waybill.Core.Stages;

namespace Waybill.Benchmarks;

/// <summary>
/// <c>lifecycle-run FOLDER [STAGES] [ROUNDS]</c>: StageRunner.RunAsync of STAGES empty code stages, one after another, in a
/// fresh job folder per round, as StageLifecycleBenchmarks does; prints the best and median time per stage. Quick to
/// repeat, and a plain process that a profiler can follow from start to end.
/// </summary>
internal static class LifecycleRunTool
{
    public static async Task<int> RunAsync(string[] args)
    {
        var folder = args.Length > 0 ? args[0] : "/dev/shm/waybill-bench";
        var stages = Math.Min(9999, args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000);
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        var root = BenchDirs.Fresh(folder, "lifecycle-run");
        var builder = new PipelineBuilder("lifecycle", root);
        for (var i = 1; i <= stages; i++) builder.Stage($"{i:D4}_s{i}", () => new EmptyStage());
        var pipeline = builder.Build();
        var perStage = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var layout = new JobLayout(Path.Combine(root, $"job{round:D4}"));
            Directory.CreateDirectory(layout.LogsDir);
            var clock = Stopwatch.StartNew();
            using (var logging = new RunLogging(layout, new Redactor(), TimeProvider.System, null, LogLevel.Information, legacyStageLogs: false))
            {
                var services = new RunServices(TimeProvider.System, new Redactor(), new ChecksumCache(pipeline.Checksum), logging.OpenStage);
                var position = 0;
                foreach (var stage in pipeline.Stages)
                {
                    var outcome = await StageRunner.RunAsync(new StageInvocation(pipeline, stage, layout, "run", ++position, stages), services, CancellationToken.None);
                    if (outcome.Status != Waybill.Core.Manifests.StageStatus.Success) throw new InvalidOperationException($"{stage.Id} ended {outcome.Status}");
                }
            }
            // Round 0 warms up the JIT and is not counted.
            if (round > 0) perStage.Add(clock.Elapsed.TotalMicroseconds / stages);
        }
        BenchDirs.Remove(root);
        perStage.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{folder}: empty stage lifecycle best {perStage[0]:0.0} µs, median {perStage[perStage.Count / 2]:0.0} µs per stage ({rounds} rounds of {stages:N0} stages)"));
        return 0;
    }

    private sealed class EmptyStage : IStage
    {
        public Task RunAsync(StageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
