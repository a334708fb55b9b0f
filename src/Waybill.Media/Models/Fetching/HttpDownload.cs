using Waybill.Core.Text;
using System.Net;
using System.Net.Http.Headers;

namespace Waybill.Media.Models.Fetching;

/// <summary>
/// Downloads one file over HTTP(S) into its partial file, continuing a partial download with a Range request. A server that
/// ignores the range (200) sends the whole file again; one that cannot satisfy it (416) makes the download start over.
/// </summary>
internal static class HttpDownload
{
    /// <returns>Whether the download continued an earlier one, and how many bytes came over the network.</returns>
    public static async Task<(bool Resumed, long Transferred)> RunAsync(HttpClient http, Uri url, PartialFile sink, TimeSpan idleTimeout,
        Action<long>? progress, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var start = sink.Length;
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (start > 0) request.Headers.Range = new RangeHeaderValue(start, null);
            using var response = await SendAsync(http, request, idleTimeout, cancellationToken);
            if (start > 0 && attempt == 0 && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                sink.Restart();
                continue;
            }
            if (!response.IsSuccessStatusCode) throw StatusError(url, response);
            var resumed = response.StatusCode == HttpStatusCode.PartialContent;
            if (resumed && response.Content.Headers.ContentRange?.From != start)
            {
                // A range other than the one asked for: do not guess, start over with the whole file.
                sink.Restart();
                if (attempt == 0) continue;
                throw new ModelFetchException($"{UrlDisplay.Of(url)} answered a range request with another range ({response.Content.Headers.ContentRange})");
            }
            if (!resumed) sink.Restart();
            var total = sink.Length + response.Content.Headers.ContentLength;
            if (total is { } announced && announced != sink.Expected)
            {
                sink.Delete();
                var type = response.Content.Headers.ContentType?.MediaType ?? "no content type";
                throw new ModelFetchException(
                    $"{UrlDisplay.Of(url)} serves {announced:N0} bytes ({type}), but the model is {sink.Expected:N0} bytes: not this model; nothing was installed",
                    "the server answered with something else (an error page from a proxy?); check the URL or the mirror");
            }
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var before = sink.Length;
            await StreamCopy.CopyAsync(body, sink, UrlDisplay.Of(url), idleTimeout, progress, cancellationToken);
            return (resumed, sink.Length - before);
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        headers.CancelAfter(timeout);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headers.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ModelFetchException($"no answer from {request.RequestUri} within {timeout.TotalSeconds:0} s",
                "check the network, a proxy (HTTPS_PROXY), or use a mirror (--mirror, WAYBILL_MODEL_MIRROR)");
        }
        catch (HttpRequestException e)
        {
            throw new ModelFetchException($"cannot fetch {request.RequestUri}: {e.Message}",
                "check the network, a proxy (HTTPS_PROXY), or use a mirror (--mirror, WAYBILL_MODEL_MIRROR)", e);
        }
    }

    private static ModelFetchException StatusError(Uri url, HttpResponseMessage response)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        var hint = response.StatusCode == HttpStatusCode.NotFound
            ? "a mirror must serve each model under its file name (URL/FILE); check the URL and that the file is there"
            : "try again later, or fetch from another mirror (--mirror, WAYBILL_MODEL_MIRROR)";
        return new ModelFetchException($"{UrlDisplay.Of(url)} answered {status}; nothing was installed", hint);
    }
}
