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
    // Parsed manifests held at once at most (~4 KB each): a run whose stages take long holds no more than this, and
    // few enough that most die young (a manifest kept long is promoted, and makes the collections that free it dearer).
    private const int Window = 64;

    private readonly ConcurrentDictionary<string, Entry> _reads = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _free = new(Window);
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Starts reading <paramref name="ids"/> in the background, in this order.</summary>
    public void Add(IReadOnlyList<string> ids)
    {
        if (ids.Count == 0 || _stop.IsCancellationRequested) return;
        foreach (var id in ids) _reads.TryAdd(id, new Entry(id));
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
        value = entry.Value(read);
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
                entry.Force(read);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The run ended: what is left unread is not needed.
        }
    }

    private const int Waiting = 0, Claimed = 1, Taken = 2;

    /// <summary>One read, made once, by whichever thread comes first; the other waits for it.</summary>
    private sealed class Entry(string id)
    {
        private readonly Lock _gate = new();
        private bool _done;
        private T _value = default!;
        private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _error;
        public int State = Waiting;

        public T Value(Func<string, T> read)
        {
            Force(read);
            _error?.Throw();
            return _value;
        }

        public void Force(Func<string, T> read)
        {
            lock (_gate)
            {
                if (_done) return;
                try
                {
                    _value = read(id);
                }
#pragma warning disable CA1031 // Kept for the decision that takes this read: it meets the same exception, and handles it.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
                }
                _done = true;
            }
        }
    }
}
