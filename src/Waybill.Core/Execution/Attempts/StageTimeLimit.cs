using Microsoft.Extensions.Logging;
using Waybill.Core.Pipeline.Controls;

namespace Waybill.Core.Execution.Attempts;

/// <summary>
/// A stage's <c>timeout</c> around one try of its work, timed on the run's clock. The work's token is cancelled by the
/// run (Ctrl-C) or by the limit, whichever comes first; for a command that stops its whole process group (SIGTERM, then
/// SIGKILL 3 s later). Code that has not returned <see cref="AbandonAfter"/> after the limit is abandoned: the try ends
/// as timed out while the code goes on, unobserved, until it returns or the process exits — .NET cannot stop a thread
/// that ignores its token.
/// </summary>
internal sealed class StageTimeLimit(TimeSpan? limit, TimeProvider time, ILogger log, CancellationToken run) : IDisposable
{
    /// <summary>
    /// How long work may take to stop once its time is up: longer than a command needs at worst (3 s from SIGTERM to
    /// SIGKILL, then 2 × 1 s of reading what its leftovers still write).
    /// </summary>
    public static readonly TimeSpan AbandonAfter = TimeSpan.FromSeconds(10);

    private CancellationTokenSource? _limit;

    /// <summary>True once the limit, not the run's cancellation, stopped the work.</summary>
    public bool Expired => _limit?.IsCancellationRequested == true && !run.IsCancellationRequested;

    /// <summary>The work did not return when its time was up and was left running.</summary>
    public bool Abandoned { get; private set; }

    /// <summary>"timed out after 30m": the stage's status reason.</summary>
    public string Reason => $"timed out after {Quantities.FormatDuration(limit ?? TimeSpan.Zero)}";

    /// <summary>Runs the work under the limit (the clock starts now); without one, simply runs it.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> work)
    {
        if (limit is not { } due)
        {
            await work(run);
            return;
        }
        _limit = new CancellationTokenSource(due, time);
        // Both timers start now, so a test that advances a fake clock past either one never races the engine.
        using var giveUp = new CancellationTokenSource(due + AbandonAfter, time);
        using var said = _limit.Token.Register(() =>
            log.LogDebug("time limit of {Limit} reached: stopping the stage", Quantities.FormatDuration(due)));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(run, _limit.Token);
        var token = linked.Token;
        // On the thread pool: code that blocks before its first await is abandoned like code that never returns.
        var task = Task.Run(() => work(token), CancellationToken.None);
        var abandon = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (giveUp.Token.Register(() => abandon.TrySetResult()))
        {
            if (await Task.WhenAny(task, abandon.Task) == task)
            {
                await task;
                // Work that ignored its token but returned in the grace period still ran past its limit.
                if (Expired) throw new TimeoutException(Reason);
                return;
            }
        }
        Abandoned = true;
        // Whatever it throws later is observed here, never by the finalizer.
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        run.ThrowIfCancellationRequested();
        throw new TimeoutException(Reason);
    }

    public void Dispose() => _limit?.Dispose();
}
