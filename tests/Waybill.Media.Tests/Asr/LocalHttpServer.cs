using System.Collections.Concurrent;
using System.Text;
using Waybill.Tests.Support;

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
/// The speech API's stand-in: a real local HTTP server (<see cref="HttpTestServer"/>) that answers each request with
/// what <paramref name="respond"/> returns, and keeps every request, its form parts parsed, for the test to inspect.
/// </summary>
public sealed class LocalHttpServer : IDisposable
{
    private readonly HttpTestServer _server;

    public LocalHttpServer(Func<RecordedRequest, (int Status, string Body)> respond)
    {
        _server = new HttpTestServer(request =>
        {
            var recorded = new RecordedRequest(request.Method, request.Path, request.Authorization, request.ContentType, Multipart(request.ContentType, request.Body));
            Requests.Enqueue(recorded);
            var (status, body) = respond(recorded);
            return new HttpTestReply(status, body);
        });
    }

    public int Port => _server.Port;
    public string BaseUrl => _server.Url("/v1");
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

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

    public void Dispose() => _server.Dispose();
}
