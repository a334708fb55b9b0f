using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;

namespace Waybill.Core.OpenLineage;

/// <summary>How the posting went: events handed over, events the endpoint accepted, and the first problem met.</summary>
internal sealed record OpenLineageDelivery(int Queued, int Delivered, string? Problem)
{
    public int Undelivered => Queued - Delivered;
}

/// <summary>
/// POSTs events to an OpenLineage HTTP endpoint (Marquez' <c>/api/v1/lineage</c>) from a bounded background queue, so
/// a slow or dead endpoint never holds the run: each request has a timeout, 5xx answers and connection errors are
/// retried twice while the endpoint looks alive, and <see cref="FinishAsync"/> waits a bounded time for the rest.
/// Problems are collected, never thrown: the caller reports them once.
/// </summary>
internal sealed class OpenLineageHttpTransport : IDisposable
{
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)];

    private readonly Uri _endpoint;
    private readonly TimeSpan _timeout;
    private readonly int _capacity;
    private readonly Channel<string> _queue;
    private readonly HttpClient _client = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private int _queued;
    private int _delivered;
    private string? _problem;
    // After an event failed all its tries, later ones get a single try until one gets through: a dead endpoint costs one timeout per event, not three.
    private bool _alive = true;

    public OpenLineageHttpTransport(Uri endpoint, string? apiKey, TimeSpan timeout, int capacity)
    {
        _endpoint = endpoint;
        _timeout = timeout;
        _capacity = capacity;
        _queue = Channel.CreateBounded<string>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        if (apiKey is { Length: > 0 }) _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Queues one event; never waits. A full queue drops the event (it is counted as not delivered).</summary>
    public void Enqueue(string json)
    {
        _queued++;
        if (!_queue.Writer.TryWrite(json)) Note($"more than {_capacity} events waiting");
    }

    /// <summary>Sends what is left within <paramref name="wait"/>, then gives up on the rest.</summary>
    public async Task<OpenLineageDelivery> FinishAsync(TimeSpan wait)
    {
        _queue.Writer.TryComplete();
        try
        {
            await _worker.WaitAsync(wait);
        }
        catch (TimeoutException)
        {
            Note($"gave up after waiting {Seconds(wait)} s at the end of the run");
            await _stop.CancelAsync();
            try
            {
                await _worker.WaitAsync(TimeSpan.FromSeconds(1));
            }
            catch (TimeoutException)
            {
                // The worker is left to end on its own; its count no longer matters.
            }
        }
        return new OpenLineageDelivery(_queued, Volatile.Read(ref _delivered), _problem);
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stop.Cancel();
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var json in _queue.Reader.ReadAllAsync(_stop.Token))
                if (await SendAsync(json)) Interlocked.Increment(ref _delivered);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // Posting lineage must never fail the run: whatever went wrong is reported with the count of events lost.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Note(e.Message);
        }
    }

    private async Task<bool> SendAsync(string json)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (sent, retryable) = await PostAsync(json);
            if (sent)
            {
                _alive = true;
                return true;
            }
            if (!retryable) return false;
            if (!_alive || attempt == RetryDelays.Length)
            {
                _alive = false;
                return false;
            }
            await Task.Delay(RetryDelays[attempt], _stop.Token);
        }
    }

    private async Task<(bool Sent, bool Retryable)> PostAsync(string json)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(_timeout);
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await _client.PostAsync(_endpoint, content, timeout.Token);
            if (response.IsSuccessStatusCode) return (true, false);
            var code = (int)response.StatusCode;
            Note($"{code} {response.ReasonPhrase ?? response.StatusCode.ToString()}");
            return (false, code >= 500 || code == 429);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            Note($"no answer within {Seconds(_timeout)} s");
            return (false, true);
        }
        catch (HttpRequestException e)
        {
            Note(e.Message);
            return (false, true);
        }
    }

    /// <summary>Keeps the first problem: it is the one that explains the others.</summary>
    private void Note(string problem) => Interlocked.CompareExchange(ref _problem, problem, null);

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
