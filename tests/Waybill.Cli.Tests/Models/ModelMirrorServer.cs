using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Waybill.Tests.Support;

namespace Waybill.Cli.Tests.Models;

/// <summary>A request the mirror saw: its path, Range header (null when none) and query.</summary>
internal sealed record MirrorRequest(string Path, string? Range, string Query = "");

/// <summary>
/// A real HTTP server on 127.0.0.1 serving model files by name under /models/, with byte ranges (206), and the faults the
/// tests need: a connection dropped after some bytes, a body trickled slowly, an error status, another file's bytes.
/// </summary>
internal sealed class ModelMirrorServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ModelMirrorServer()
    {
        _listener = HttpTestServer.StartListener(out var port);
        Port = port;
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    /// <summary>The mirror's base URL, as --mirror takes it.</summary>
    public string MirrorUrl => $"http://127.0.0.1:{Port}/models/";

    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Content type of every answer (an HTML error page sets text/html).</summary>
    public string ContentType { get; set; } = "application/octet-stream";

    /// <summary>When set, the next answer announces the whole body, sends this many bytes, then drops the connection.</summary>
    public long? DropAfterBytes { get; set; }

    /// <summary>When set, the body goes out in 16 KiB pieces with this pause between them.</summary>
    public TimeSpan? Trickle { get; set; }

    /// <summary>When set, every request is answered with this status and a short text body.</summary>
    public int? Status { get; set; }

    public ConcurrentQueue<MirrorRequest> Requests { get; } = new();

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
        var response = context.Response;
        try
        {
            var path = context.Request.Url!.AbsolutePath;
            var range = context.Request.Headers["Range"];
            Requests.Enqueue(new MirrorRequest(path, range, context.Request.Url.Query));
            var name = path.StartsWith("/models/", StringComparison.Ordinal) ? Uri.UnescapeDataString(path["/models/".Length..]) : "";
            if (Status is { } status || !Files.TryGetValue(name, out var file))
            {
                response.StatusCode = Status ?? 404;
                var text = System.Text.Encoding.UTF8.GetBytes($"status {response.StatusCode}\n");
                response.ContentLength64 = text.Length;
                await response.OutputStream.WriteAsync(text, _stop.Token);
                response.Close();
                return;
            }
            long start = 0;
            if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
            {
                start = long.Parse(range["bytes=".Length..^1], CultureInfo.InvariantCulture);
                response.StatusCode = 206;
                response.Headers["Content-Range"] = $"bytes {start}-{file.Length - 1}/{file.Length}";
            }
            response.ContentType = ContentType;
            response.ContentLength64 = file.Length - start;
            var end = DropAfterBytes is { } drop ? Math.Min(file.Length, start + drop) : file.Length;
            var piece = Trickle is null ? 1 << 20 : 16 << 10;
            for (var offset = start; offset < end; offset += piece)
            {
                await response.OutputStream.WriteAsync(file.AsMemory((int)offset, (int)Math.Min(piece, end - offset)), _stop.Token);
                await response.OutputStream.FlushAsync(_stop.Token);
                if (Trickle is { } pause) await Task.Delay(pause, _stop.Token);
            }
            if (DropAfterBytes is not null)
            {
                DropAfterBytes = null;
                response.Abort();
                return;
            }
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The client went away (cancelled) or the server is stopping.
            response.Abort();
        }
    }

    public void Dispose() => HttpTestServer.Stop(_listener, _stop, _loop);
}
