using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Waybill.Tests.Support;

/// <summary>A request as the test server received it, body included (empty for a GET).</summary>
public sealed record HttpTestRequest(string Method, string Path, string RawUrl, IReadOnlyDictionary<string, string> Query, string? Authorization, string? ContentType, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>What the test server answers: status, body, content type, extra headers, and an optional delay first.</summary>
public sealed record HttpTestReply(int Status, string Body, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default);

/// <summary>
/// A real HTTP server on 127.0.0.1 and a free port (System.Net.HttpListener), the stand-in for a remote API: each request
/// is answered with what the handler returns for it. Requests are answered concurrently, or one at a time in the order
/// they arrive when <c>oneAtATime</c> is set (for handlers that hand out recorded replies in order).
/// </summary>
public sealed class HttpTestServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<HttpTestRequest, HttpTestReply> _answer;
    private readonly bool _oneAtATime;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public HttpTestServer(Func<HttpTestRequest, HttpTestReply> answer, bool oneAtATime = false)
    {
        _answer = answer;
        _oneAtATime = oneAtATime;
        _listener = StartListener(out var port);
        Port = port;
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    /// <summary>http://127.0.0.1:PORT followed by <paramref name="path"/>.</summary>
    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>An HttpListener started on a free loopback port, for this server and others that answer in their own way.</summary>
    public static HttpListener StartListener(out int port)
    {
        // A free port can be taken by another test between the probe and the start: try again with a new one.
        for (var attempt = 0; ; attempt++)
        {
            port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return listener;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>Stops a server started with <see cref="StartListener"/>: its loop is cancelled and waited for.</summary>
    public static void Stop(HttpListener listener, CancellationTokenSource stop, Task loop)
    {
        stop.Cancel();
        // Close alone: Stop and then Close would remove the prefixes twice, and the second removal re-binds the port,
        // which fails when a test running beside this one has taken it meanwhile.
        try
        {
            listener.Close();
        }
        catch (HttpListenerException)
        {
        }
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        stop.Dispose();
    }

    /// <summary>
    /// A port nothing listens on right now. Another test may take it at any moment: a test of a server that is not there
    /// takes a <see cref="RefusingPort"/> instead.
    /// </summary>
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
            if (_oneAtATime) await AnswerAsync(context);
            else _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            var url = context.Request.Url!;
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, _stop.Token);
            var request = new HttpTestRequest(context.Request.HttpMethod, url.AbsolutePath, context.Request.RawUrl ?? "", Query(url.Query),
                context.Request.Headers["Authorization"], context.Request.ContentType, body.ToArray());
            var reply = _answer(request);
            if (reply.Delay > TimeSpan.Zero) await Task.Delay(reply.Delay, _stop.Token);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = reply.ContentType;
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

    private static Dictionary<string, string> Query(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            result[name] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
        }
        return result;
    }

    public void Dispose() => Stop(_listener, _stop, _loop);
}
