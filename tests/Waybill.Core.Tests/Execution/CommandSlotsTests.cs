using Waybill.Core.Execution;
using Xunit;

namespace Waybill.Core.Tests.Execution;

/// <summary>The threads command stages run on: as many as asked for at most, each work item on one of them, start to finish.</summary>
public sealed class CommandSlotsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Work_never_waits_for_a_thread_while_fewer_than_the_most_are_busy()
    {
        using var slots = new CommandSlots(3);
        using var secondStarted = new ManualResetEventSlim();
        using var thirdStarted = new ManualResetEventSlim();

        // Each waits for the next to start: they end only if all three run at once, whenever each was queued.
        var first = slots.Run(() => Task.FromResult(secondStarted.Wait(Bound)));
        var second = slots.Run(() =>
        {
            secondStarted.Set();
            return Task.FromResult(thirdStarted.Wait(Bound));
        });
        var third = slots.Run(() =>
        {
            thirdStarted.Set();
            return Task.FromResult(true);
        });

        var ended = await Task.WhenAll(first, second, third).WaitAsync(Bound, Token);
        Assert.Equal([true, true, true], ended);
    }

    [Fact]
    public async Task No_more_threads_run_work_than_the_most_and_later_work_goes_to_the_same_ones()
    {
        using var slots = new CommandSlots(2);
        using var bothIn = new Barrier(2);
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, string?>();
        var running = 0;
        var most = 0;

        int Work(bool meet)
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            threads[Environment.CurrentManagedThreadId] = Thread.CurrentThread.Name;
            if (meet) Assert.True(bothIn.SignalAndWait(Bound));
            Interlocked.Decrement(ref running);
            return now;
        }

        var pair = new[] { slots.Run(() => Task.FromResult(Work(meet: true))), slots.Run(() => Task.FromResult(Work(meet: true))) };
        var later = Enumerable.Range(0, 20).Select(_ => slots.Run(() => Task.FromResult(Work(meet: false)))).ToList();
        await Task.WhenAll(pair.Concat(later)).WaitAsync(Bound, Token);

        Assert.Equal(2, most);
        Assert.Equal(2, threads.Count);
        Assert.All(threads.Values, name => Assert.Equal("Waybill command slot", name));
    }

    [Fact]
    public async Task What_waits_for_the_work_goes_on_on_the_slot_s_thread_and_may_end_the_slots_there()
    {
        var slots = new CommandSlots(1);
        var caller = Environment.CurrentManagedThreadId;
        var worked = 0;
        var resumed = 0;
        using var waited = new ManualResetEventSlim();

        var task = slots.Run(() =>
        {
            worked = Environment.CurrentManagedThreadId;
            // Done only once the continuation waits: else it might run at once on the caller's thread.
            waited.Wait(Token);
            return Task.FromResult(1);
        });
        var after = task.ContinueWith(_ =>
        {
            resumed = Environment.CurrentManagedThreadId;
            // The end of a run may follow on a slot's thread: disposing there must not wait for that thread to end.
            slots.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        waited.Set();
        await after.WaitAsync(Bound, Token);

        Assert.Equal(1, await task);
        Assert.NotEqual(caller, worked);
        Assert.Equal(worked, resumed);
    }

    [Fact]
    public async Task A_failure_thrown_at_once_or_later_is_the_task_s()
    {
        using var slots = new CommandSlots(2);

        var atOnce = slots.Run<int>(() => throw new InvalidDataException("at once"));
        var later = slots.Run<int>(async () =>
        {
            await Task.Yield();
            throw new InvalidDataException("later");
        });

        Assert.Equal("at once", (await Assert.ThrowsAsync<InvalidDataException>(() => atOnce.WaitAsync(Bound, Token))).Message);
        Assert.Equal("later", (await Assert.ThrowsAsync<InvalidDataException>(() => later.WaitAsync(Bound, Token))).Message);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
