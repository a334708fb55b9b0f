using System.Collections.Concurrent;
using Waybill.Tests.Support;

namespace Waybill.Media.Tests.Tmdb;

/// <summary>A request as the server saw it, body included (empty for a GET).</summary>
internal sealed record SeenRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, string? Authorization, string RawUrl, string? ContentType = null, string Body = "");

/// <summary>What the server answers: status, JSON body, extra headers, and an optional delay before answering.</summary>
internal sealed record Reply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default);

/// <summary>TMDB's stand-in: a real local HTTP server (<see cref="HttpTestServer"/>) that records requests and answers through a handler.</summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly HttpTestServer _server;

    public LocalHttpServer(Func<SeenRequest, Reply> handler)
    {
        _server = new HttpTestServer(request =>
        {
            var seen = new SeenRequest(request.Method, request.Path, request.Query, request.Authorization, request.RawUrl, request.ContentType, request.Text);
            Requests.Enqueue(seen);
            var reply = handler(seen);
            return new HttpTestReply(reply.Status, reply.Body, "application/json;charset=utf-8", reply.Headers, reply.Delay);
        });
    }

    public int Port => _server.Port;

    /// <summary>The base URL with TMDB's version path, as config api_url takes it.</summary>
    public string ApiUrl => _server.Url("/3");

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public void Dispose() => _server.Dispose();
}
