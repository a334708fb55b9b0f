using System.Collections.Concurrent;
using Waybill.Tests.Support;

namespace Waybill.Cli.Tests.Telemetry;

/// <summary>
/// A local OTLP/HTTP receiver for a test: a real HTTP server on 127.0.0.1 that takes POST /v1/traces and /v1/logs
/// (application/x-protobuf) and keeps the bytes the SDK sent; <paramref name="delay"/> makes it a collector that does not answer.
/// </summary>
internal sealed class OtlpCollector : IDisposable
{
    private readonly ConcurrentQueue<HttpTestRequest> _requests = new();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpTestServer _server;

    public OtlpCollector(TimeSpan delay = default) => _server = new HttpTestServer(request =>
    {
        _requests.Enqueue(request);
        _first.TrySetResult();
        var known = request.Method == "POST" && request.Path is "/v1/traces" or "/v1/logs";
        return new HttpTestReply(known ? 200 : 404, "", "application/x-protobuf", Delay: delay);
    });

    public string Endpoint => _server.Url("");

    public IReadOnlyList<HttpTestRequest> Requests => [.. _requests];

    /// <summary>
    /// Done once a whole request has been read: the server reads each on a task of its own, which on a busy machine may
    /// end after the client that sent it has given up waiting and exited.
    /// </summary>
    public Task FirstRequest => _first.Task;

    public List<OtlpSpan> Spans => [.. Requests.Where(r => r.Path == "/v1/traces").SelectMany(r => OtlpData.Spans(r.Body))];

    public List<OtlpLog> Logs => [.. Requests.Where(r => r.Path == "/v1/logs").SelectMany(r => OtlpData.Logs(r.Body))];

    public void Dispose() => _server.Dispose();
}
