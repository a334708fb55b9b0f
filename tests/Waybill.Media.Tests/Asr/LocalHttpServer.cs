using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Waybill.Media.Tests.Asr;

/// <summary>One part of a multipart/form-data body.</summary>
public sealed record FormPart(string Name, string? FileName, string? ContentType, byte[] Data)
{
    public string Text => Encoding.UTF8.GetString(Data);
}

/// <summary>A request the server received: method, path, headers and the form parts.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Authorization, string? ContentType, List<FormPart> Parts)
{
    public IEnumerable<string> Values(string name) => Parts.Where(p => p.Name == name).Select(p => p.Text);
    public FormPart File => Parts.Single(p => p.FileName is not null);
}

/// <summary>
/// A real HTTP server on 127.0.0.1 and a free port (System.Net.HttpListener) that answers each request with what
/// <paramref name="respond"/> returns, and keeps every request for the test to inspect.
/// </summary>
public sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<RecordedRequest, (int Status, string Body)> _respond;
    private readonly Task _loop;

    public LocalHttpServer(Func<RecordedRequest, (int Status, string Body)> respond)
    {
        _respond = respond;
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                _listener.Close();
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
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
            _ = Task.Run(() => Answer(context));
        }
    }

    private void Answer(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        context.Request.InputStream.CopyTo(body);
        var request = new RecordedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"],
            context.Request.ContentType, Multipart(context.Request.ContentType, body.ToArray()));
        Requests.Enqueue(request);
        var (status, text) = _respond(request);
        var bytes = Encoding.UTF8.GetBytes(text);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        context.Response.OutputStream.Write(bytes);
        context.Response.Close();
    }

    /// <summary>Splits a multipart/form-data body at its boundary; each part's headers give its name, file name and type.</summary>
    private static List<FormPart> Multipart(string? contentType, byte[] body)
    {
        var parts = new List<FormPart>();
        var marker = "boundary=";
        var at = contentType?.IndexOf(marker, StringComparison.Ordinal) ?? -1;
        if (at < 0) return parts;
        var boundary = Encoding.ASCII.GetBytes("--" + contentType![(at + marker.Length)..].Trim('"'));
        var positions = new List<int>();
        for (var i = body.AsSpan().IndexOf(boundary); i >= 0;)
        {
            positions.Add(i);
            var next = body.AsSpan(i + boundary.Length).IndexOf(boundary);
            i = next < 0 ? -1 : i + boundary.Length + next;
        }
        for (var p = 0; p + 1 < positions.Count; p++)
        {
            var start = positions[p] + boundary.Length + 2;                  // after the boundary's CRLF
            var end = positions[p + 1] - 2;                                  // before the CRLF that precedes the next boundary
            var part = body.AsSpan(start, end - start);
            var split = part.IndexOf("\r\n\r\n"u8);
            var headers = Encoding.UTF8.GetString(part[..split]).Split("\r\n");
            string? Header(string name) => headers.FirstOrDefault(h => h.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim();
            var disposition = Header("Content-Disposition") ?? "";
            parts.Add(new FormPart(Parameter(disposition, "name")!, Parameter(disposition, "filename"), Header("Content-Type"), part[(split + 4)..].ToArray()));
        }
        return parts;
    }

    private static string? Parameter(string header, string name)
    {
        foreach (var piece in header.Split(';'))
        {
            var kv = piece.Trim().Split('=', 2);
            if (kv.Length == 2 && kv[0] == name) return kv[1].Trim('"');
        }
        return null;
    }

    public void Dispose()
    {
        // Close alone: Stop and then Close would remove the prefixes twice, and the second removal re-binds the port,
        // which fails when a test running beside this one has taken it meanwhile.
        try
        {
            _listener.Close();
        }
        catch (HttpListenerException)
        {
        }
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
