using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Waybill.Media.Tests.Tmdb;

/// <summary>A request as the server saw it, body included (empty for a GET).</summary>
internal sealed record SeenRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, string? Authorization, string RawUrl, string? ContentType = null, string Body = "");

/// <summary>What the server answers: status, JSON body, extra headers, and an optional delay before answering.</summary>
internal sealed record Reply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default);

/// <summary>A real HTTP server on 127.0.0.1 (HttpListener on a free port) that records requests and answers through a handler.</summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<SeenRequest, Reply> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LocalHttpServer(Func<SeenRequest, Reply> handler)
    {
        _handler = handler;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    /// <summary>The base URL with TMDB's version path, as config api_url takes it.</summary>
    public string ApiUrl => $"http://127.0.0.1:{Port}/3";

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>A port nothing listens on right now (also for tests of a server that is not there).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            var url = context.Request.Url!;
            var query = new Dictionary<string, string>(StringComparer.Ordinal);
            var raw = url.Query.TrimStart('?');
            foreach (var pair in raw.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
                query[name] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(_stop.Token);
            var seen = new SeenRequest(context.Request.HttpMethod, url.AbsolutePath, query, context.Request.Headers["Authorization"], context.Request.RawUrl ?? "", context.Request.ContentType, body);
            Requests.Enqueue(seen);
            var reply = _handler(seen);
            if (reply.Delay > TimeSpan.Zero) await Task.Delay(reply.Delay, _stop.Token);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json;charset=utf-8";
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, _stop.Token);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The client gave up (a timeout test) or the server is stopping.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
