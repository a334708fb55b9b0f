using Waybill.Core.Execution;
using Waybill.Core.Pipeline;

namespace Waybill.Cli.Output;

/// <summary>
/// The live display of a run on a terminal (<see cref="LiveBoard"/>): finished stages of all, and a bar with the time
/// left for each long stage that reports its progress (ASR's segments) and each fan-out (its items done).
/// </summary>
internal static class LiveProgress
{
    public static LiveBoard Board(TextWriter output, PipelineDefinition pipeline, TimeProvider time) =>
        new(output, Terminal.UseColor, time, () => Terminal.Width, () => Terminal.Height, Describe(pipeline, 0, null),
            pipeline.Stages.Count, Note);

    /// <summary>Why the display stopped, on stderr (the display's own stream is the one that failed).</summary>
    private static void Note(string message)
    {
        try
        {
            Console.Error.WriteLine("waybill: " + message);
        }
        catch (IOException)
        {
            // Nowhere left to say it; the run's logs and records are unaffected.
        }
    }

    public static async Task<RunResult> RunAsync(LiveBoard board, PipelineDefinition pipeline, RunOptions options,
        CancellationToken cancellationToken)
    {
        var done = 0;
        var stages = new SynchronousProgress<StageOutcome>(outcome =>
        {
            board.Finished(outcome.StageId);
            // Every stage run counts, a fan-out's items too (a static fan-out's are among the pipeline's stages).
            var finished = Interlocked.Increment(ref done);
            board.Overall(Describe(pipeline, finished, outcome), finished);
        });
        var inside = new SynchronousProgress<StageProgress>(p => board.Stage(p.StageId, p.Done, p.Total, p.Unit));
        try
        {
            return await PipelineRunner.RunAsync(pipeline, options with { Progress = stages, StageProgress = inside }, cancellationToken);
        }
        finally
        {
            board.Dispose();
        }
    }

    private static string Describe(PipelineDefinition pipeline, int finished, StageOutcome? last) =>
        $"{pipeline.Name}: {finished}/{Math.Max(finished, pipeline.Stages.Count)} stages"
        + (last is null ? "" : $" (last: {last.StageId} {last.Status.ToString().ToLowerInvariant()})");

    /// <summary>Progress&lt;T&gt; posts to a sync context; the display wants the update at once, on the runner's thread.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
