using System.Collections.Concurrent;

namespace Waybill.Core.Caching;

/// <summary>
/// Reads the previous manifests of stage runs found while the run goes on (a fan-out's items) on another thread, a
/// bounded number ahead of the decisions that take them, in the order they were added: reading and parsing them was
/// a fifth of a no-op rerun of 100,000 items (perf), and the scheduler's thread decides while this one reads.
/// A read not yet begun when its decision comes is made by the decision itself; each is made once.
/// </summary>
internal sealed class ManifestReadAhead<T>(Func<string, T> read) : IDisposable
{
    // Parsed manifests held at once at most (~4 KB each): a run whose stages take long holds no more than this.
    private const int Window = 256;

    private readonly ConcurrentDictionary<string, Entry> _reads = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _free = new(Window);
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Starts reading <paramref name="ids"/> in the background, in this order.</summary>
    public void Add(IReadOnlyList<string> ids)
    {
        if (ids.Count == 0 || _stop.IsCancellationRequested) return;
        foreach (var id in ids) _reads.TryAdd(id, new Entry(new Lazy<T>(() => read(id), LazyThreadSafetyMode.ExecutionAndPublication)));
        _ = Task.Run(() => ReadAsync(ids));
    }

    /// <summary>The read of <paramref name="id"/> (made now when the background has not begun it); false when it was never added.</summary>
    public bool TryTake(string id, out T value)
    {
        if (!_reads.TryRemove(id, out var entry))
        {
            value = default!;
            return false;
        }
        // A slot the background took for this read is given back; one it has not taken it will not take.
        if (Interlocked.Exchange(ref entry.State, Taken) == Claimed) _free.Release();
        value = entry.Read.Value;
        return true;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _reads.Clear();
        _stop.Dispose();
        _free.Dispose();
    }

    private async Task ReadAsync(IReadOnlyList<string> ids)
    {
        try
        {
            foreach (var id in ids)
            {
                if (!_reads.TryGetValue(id, out var entry)) continue;
                await _free.WaitAsync(_stop.Token);
                if (Interlocked.CompareExchange(ref entry.State, Claimed, Waiting) != Waiting)
                {
                    _free.Release(); // taken meanwhile
                    continue;
                }
                Force(entry.Read);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The run ended: what is left unread is not needed.
        }
    }

    private static void Force(Lazy<T> read)
    {
        try
        {
            _ = read.Value;
        }
#pragma warning disable CA1031 // The decision that takes this read meets the same exception, and handles it.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private const int Waiting = 0, Claimed = 1, Taken = 2;

    private sealed class Entry(Lazy<T> read)
    {
        public readonly Lazy<T> Read = read;
        public int State = Waiting;
    }
}
