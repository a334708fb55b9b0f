using Waybill.Core.Processes;

namespace Waybill.Core.Execution;

/// <summary>
/// Threads that run command stages, one stage at a time each, no more of them than the run's <c>--jobs</c>. Each owns a
/// process spawner whose replies it reads itself (<see cref="MeasuredProcess.OwnSpawnerOnThisThread"/>), so a command stage
/// runs from its folder to its manifest on one thread, and the scheduler's next step follows on the same thread: no other
/// thread wakes between one command and the next, as with <c>xargs</c>.
/// </summary>
internal sealed class CommandSlots(int most) : IDisposable
{
    private static readonly TimeSpan SpawnerStop = TimeSpan.FromSeconds(2);

    // Guarded by _gate: work not yet taken, and threads waiting for work. Waiting is Monitor.Wait: SemaphoreSlim's spin
    // before it blocks made about three sched_yield calls per stage run, each a switch to another thread on two busy cores.
    private readonly Queue<Action> _work = new();
    private readonly List<Thread> _threads = [];
    private readonly object _gate = new();
    private int _idle;
    private bool _stopping;

    /// <summary>
    /// Runs <paramref name="work"/> on a slot's thread. The task's continuations run there too, so whatever waits for it (the
    /// scheduler) goes on at once, on that thread.
    /// </summary>
    public Task<T> Run<T>(Func<Task<T>> work)
    {
        var done = new TaskCompletionSource<T>();
        lock (_gate)
        {
            _work.Enqueue(() => Complete(work, done));
            // A thread per stage waiting, up to the most: never does one wait for another's command to end.
            if (_work.Count > _idle && _threads.Count < most)
            {
                var thread = new Thread(Serve) { IsBackground = true, Name = "Waybill command slot" };
                _threads.Add(thread);
                _idle++;
                // Started for every later stage: it must not keep the execution context of the stage that came first.
                thread.UnsafeStart();
            }
            else
            {
                Monitor.Pulse(_gate);
            }
        }

        return done.Task;
    }

    public void Dispose()
    {
        List<Thread> threads;
        lock (_gate)
        {
            _stopping = true;
            threads = [.. _threads];
            Monitor.PulseAll(_gate);
        }

        // The run's end may follow on a slot's thread (the scheduler goes on where a stage ended): that one ends after it.
        foreach (var thread in threads.Where(t => t != Thread.CurrentThread)) thread.Join();
    }

    private void Serve()
    {
        try
        {
            while (true)
            {
                Action item;
                lock (_gate)
                {
                    while (_work.Count == 0)
                    {
                        if (_stopping) return;
                        Monitor.Wait(_gate);
                    }

                    item = _work.Dequeue();
                    _idle--;
                }

                // Only what runs inside an item (the stage, and what follows inline: the scheduler's next start) uses
                // the slot's spawner.
                MeasuredProcess.OwnSpawnerOnThisThread(true);
                try
                {
                    item();
                }
                finally
                {
                    MeasuredProcess.OwnSpawnerOnThisThread(false);
                }

                lock (_gate) _idle++;
            }
        }
        finally
        {
            MeasuredProcess.StopOwnSpawner(SpawnerStop);
        }
    }

    private static void Complete<T>(Func<Task<T>> work, TaskCompletionSource<T> done)
    {
        Task<T> task;
        try
        {
            task = work();
        }
#pragma warning disable CA1031 // The stage's task carries its failure, as it would have run anywhere else.
        catch (Exception e)
#pragma warning restore CA1031
        {
            done.SetException(e);
            return;
        }

        if (task.IsCompleted) CopyTo(task, done);
        else task.ContinueWith(static (t, state) => CopyTo(t, (TaskCompletionSource<T>)state!), done, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static void CopyTo<T>(Task<T> task, TaskCompletionSource<T> done)
    {
        if (task.IsCompletedSuccessfully) done.SetResult(task.Result);
        else if (task.IsCanceled) done.SetCanceled();
        else done.SetException(task.Exception!.InnerExceptions);
    }
}
