using System.Net;

namespace Waybill.Media.Models.Fetching;

/// <summary>The HTTP client for model downloads: bounded redirects (Hugging Face redirects once to its CDN), a connect timeout,
/// no overall timeout (a 3 GB model takes minutes; the fetcher's idle timeout catches a stalled one), the system proxy.</summary>
public static class ModelHttpClient
{
    public const int MaxRedirects = 5;

    public static HttpClient Create()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = MaxRedirects,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("waybill-models/1");
        return client;
    }
}
