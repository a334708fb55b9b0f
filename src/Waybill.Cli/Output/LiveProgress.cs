using Spectre.Console;
using Waybill.Core.Execution;
using Waybill.Core.Pipeline;

namespace Waybill.Cli.Output;

/// <summary>A Spectre progress bar of finished stages, shown below the log lines while a run goes on.</summary>
public static class LiveProgress
{
    public static Task<RunResult> RunAsync(IAnsiConsole console, PipelineDefinition pipeline, RunOptions options, CancellationToken cancellationToken) =>
        console.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var stages = context.AddTask($"{Markup.Escape(pipeline.Name)}: 0/{pipeline.Stages.Count} stages", maxValue: pipeline.Stages.Count);
                var done = 0;
                var progress = new SynchronousProgress(outcome =>
                {
                    var finished = Interlocked.Increment(ref done);
                    stages.Increment(1);
                    stages.Description = $"{Markup.Escape(pipeline.Name)}: {finished}/{pipeline.Stages.Count} stages (last: {Markup.Escape(outcome.StageId)} {outcome.Status.ToString().ToLowerInvariant()})";
                });
                return await PipelineRunner.RunAsync(pipeline, options with { Progress = progress }, cancellationToken);
            });

    /// <summary>Progress&lt;T&gt; posts to a sync context; the bar wants the update at once, on the runner's thread.</summary>
    private sealed class SynchronousProgress(Action<StageOutcome> report) : IProgress<StageOutcome>
    {
        public void Report(StageOutcome value) => report(value);
    }
}
