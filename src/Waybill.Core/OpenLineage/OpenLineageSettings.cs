namespace Waybill.Core.OpenLineage;

/// <summary>
/// Where a run's OpenLineage events go: always the job's <c>logs/openlineage.jsonl</c> (unless disabled) and, when
/// <see cref="Endpoint"/> is set, an HTTP endpoint such as Marquez.
/// </summary>
public sealed record OpenLineageSettings
{
    public const string DefaultNamespace = "waybill";
    public const string LineagePath = "/api/v1/lineage";

    public bool Enabled { get; init; } = true;
    /// <summary>The full URL events are POSTed to (see <see cref="ParseEndpoint"/>); null for the file only.</summary>
    public Uri? Endpoint { get; init; }
    /// <summary>The OpenLineage job namespace of the pipeline and its stages.</summary>
    public string Namespace { get; init; } = DefaultNamespace;
    /// <summary>Sent as a bearer token; never written anywhere.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The credentials these settings carry (API key, URL password, secret query values), for the run to mask.</summary>
    public IReadOnlyList<string> Secrets =>
        [.. Endpoint is null ? []
            : Waybill.Core.Secrets.UrlCredentials.SecretsIn(Endpoint.OriginalString)
                .Concat(Waybill.Core.Secrets.UrlCredentials.SecretsIn(Endpoint.AbsoluteUri)),
         .. ApiKey is { Length: > 0 } key ? [key] : Array.Empty<string>()];
    /// <summary>How long one POST may take before it counts as failed.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How long the end of the run waits for events not yet sent.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Events waiting to be sent; more than this and the newest are dropped (and counted as not delivered).</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>
    /// An endpoint as users give it: a server (<c>http://marquez:5000</c>, or behind a path prefix) gets
    /// <c>/api/v1/lineage</c> appended; a URL that already ends in <c>/lineage</c> is used as it is.
    /// </summary>
    public static Uri? ParseEndpoint(string text, out string? problem)
    {
        problem = null;
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            problem = $"'{Waybill.Core.Secrets.UrlCredentials.Mask(text)}' is not an http:// or https:// URL; "
                + "give the OpenLineage server, e.g. http://localhost:5000";
            return null;
        }
        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/lineage", StringComparison.OrdinalIgnoreCase)) return uri;
        return new UriBuilder(uri) { Path = path + LineagePath }.Uri;
    }

    /// <summary>The endpoint for messages: no user name, password or query, which may hold credentials.</summary>
    public static string Display(Uri endpoint) => endpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
}
