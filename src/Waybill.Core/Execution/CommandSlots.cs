using System.Collections.Concurrent;
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

    private readonly ConcurrentQueue<Action> _work = new();
    private readonly SemaphoreSlim _ready = new(0);
    private readonly List<Thread> _threads = [];
    private readonly Lock _gate = new();
    // Guarded by _gate: threads waiting for work, and work not yet taken.
    private int _idle;
    private int _queued;
    private volatile bool _stopping;

    /// <summary>
    /// Runs <paramref name="work"/> on a slot's thread. The task's continuations run there too, so whatever waits for it (the
    /// scheduler) goes on at once, on that thread.
    /// </summary>
    public Task<T> Run<T>(Func<Task<T>> work)
    {
        var done = new TaskCompletionSource<T>();
        _work.Enqueue(() => Complete(work, done));
        lock (_gate)
        {
            // A thread per stage waiting, up to the most: never does one wait for another's command to end.
            if (++_queued > _idle && _threads.Count < most)
            {
                var thread = new Thread(Serve) { IsBackground = true, Name = "Waybill command slot" };
                _threads.Add(thread);
                _idle++;
                // Started for every later stage: it must not keep the execution context of the stage that came first.
                thread.UnsafeStart();
            }
        }

        _ready.Release();
        return done.Task;
    }

    public void Dispose()
    {
        _stopping = true;
        List<Thread> threads;
        lock (_gate) threads = [.. _threads];
        if (threads.Count > 0) _ready.Release(threads.Count);
        // The run's end may follow on a slot's thread (the scheduler goes on where a stage ended): that one ends after it.
        foreach (var thread in threads.Where(t => t != Thread.CurrentThread)) thread.Join();
    }

    private void Serve()
    {
        try
        {
            while (true)
            {
                _ready.Wait();
                if (!_work.TryDequeue(out var item))
                {
                    if (_stopping) return;
                    continue;
                }

                lock (_gate)
                {
                    _queued--;
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
