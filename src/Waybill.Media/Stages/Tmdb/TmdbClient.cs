using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.Tmdb;

/// <summary>
/// A small client for the TMDB v3 API: movie search and credits. A v4 read access token (a JWT, <c>eyJ…</c>) is sent
/// as <c>Authorization: Bearer</c>, a v3 key as the <c>api_key</c> query parameter. The key never appears in a log
/// line or an error message: requests are logged and reported by path and query without it.
/// </summary>
public sealed class TmdbClient : IDisposable
{
    public static readonly string[] CrewJobs = ["Director", "Writer", "Screenplay"];

    private static readonly JsonSerializerOptions Json = TmdbJsonContext.Default.Options;
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly string _apiUrl;
    private readonly string _apiKey;
    private readonly bool _bearer;
    private readonly ILogger _logger;

    public TmdbClient(string apiUrl, string apiKey, TimeSpan timeout, ILogger logger, HttpMessageHandler? handler = null)
    {
        _apiUrl = apiUrl.TrimEnd('/');
        _apiKey = apiKey.Trim();
        _bearer = IsReadAccessToken(_apiKey);
        _logger = logger;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = timeout;
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Waybill", "0.1"));
    }

    /// <summary>"bearer" for a v4 read access token, "api_key" for a v3 key.</summary>
    public string AuthMethod => _bearer ? "bearer" : "api_key";

    /// <summary>HTTP requests sent, retries included.</summary>
    public int Requests { get; private set; }

    /// <summary>v4 read access tokens are JWTs: base64url JSON starting with <c>{"</c>, i.e. <c>eyJ</c>.</summary>
    public static bool IsReadAccessToken(string key) => key.StartsWith("eyJ", StringComparison.Ordinal);

    /// <summary>Searches movies; returns the best hit (exact title and year first, else TMDB's first) or null for none.</summary>
    public async Task<TmdbMovieInfo?> FindMovieAsync(TitleQuery query, CancellationToken cancellationToken)
    {
        var path = "/search/movie?query=" + Uri.EscapeDataString(query.Title) + "&include_adult=false&page=1";
        if (query.Year is { } year) path += "&year=" + year.ToString(CultureInfo.InvariantCulture);
        var page = await GetAsync<SearchPage>(path, cancellationToken);
        var hit = Pick(page.Results ?? [], query);
        _logger.LogDebug("search '{Query}': {Count} results", query, page.TotalResults ?? page.Results?.Count ?? 0);
        return hit is null ? null : new TmdbMovieInfo(hit.Id, hit.Title ?? hit.OriginalTitle ?? query.Title, hit.OriginalTitle, Blank(hit.ReleaseDate), hit.Overview, hit.OriginalLanguage);
    }

    /// <summary>The first <paramref name="maxCast"/> actors in billing order, and the directors and writers.</summary>
    public async Task<(List<TmdbCastMember> Cast, List<TmdbCrewMember> Crew)> CreditsAsync(long movieId, int maxCast, CancellationToken cancellationToken)
    {
        var credits = await GetAsync<Credits>($"/movie/{movieId.ToString(CultureInfo.InvariantCulture)}/credits", cancellationToken);
        var cast = (credits.Cast ?? [])
            .Where(c => !string.IsNullOrWhiteSpace(c.Name))
            .OrderBy(c => c.Order ?? int.MaxValue)
            .Take(Math.Max(0, maxCast))
            .Select(c => new TmdbCastMember(c.Name!.Trim(), Blank(c.Character), c.Order ?? 0))
            .ToList();
        var crew = (credits.Crew ?? [])
            .Where(c => !string.IsNullOrWhiteSpace(c.Name) && CrewJobs.Contains(c.Job))
            .Select(c => new TmdbCrewMember(c.Name!.Trim(), c.Job!))
            .Distinct()
            .ToList();
        return (cast, crew);
    }

    /// <summary>Exact title (or original title) with the year, then exact title, then TMDB's first result.</summary>
    internal static SearchMovie? Pick(IReadOnlyList<SearchMovie> results, TitleQuery query)
    {
        if (results.Count == 0) return null;
        var wanted = Normalize(query.Title);
        bool SameTitle(SearchMovie m) => Normalize(m.Title) == wanted || Normalize(m.OriginalTitle) == wanted;
        bool SameYear(SearchMovie m) => query.Year is { } y && m.ReleaseDate is { Length: >= 4 } date && date.StartsWith(y.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return results.FirstOrDefault(m => SameTitle(m) && SameYear(m)) ?? results.FirstOrDefault(SameTitle) ?? results[0];
    }

    private static string Normalize(string? title) =>
        new((title ?? "").Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private async Task<T> GetAsync<T>(string pathAndQuery, CancellationToken cancellationToken)
    {
        var what = "GET " + pathAndQuery;
        var url = _apiUrl + pathAndQuery;
        if (!_bearer) url += (pathAndQuery.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "api_key=" + Uri.EscapeDataString(_apiKey);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (_bearer) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
            _logger.LogDebug("{Request} ({Auth})", what, AuthMethod);
            Requests++;
            HttpResponseMessage response;
            string body;
            try
            {
                response = await _http.SendAsync(request, cancellationToken);
                body = await response.Content.ReadAsStringAsync(cancellationToken);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw Fail($"TMDB did not answer {what} at {_apiUrl} within {_http.Timeout.TotalSeconds:0.#} s; check the network or raise config 'timeout_seconds'", e);
            }
            catch (HttpRequestException e)
            {
                throw Fail($"cannot reach TMDB at {_apiUrl} ({what}): {e.Message}; check config 'api_url' and the network", e);
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                _logger.LogDebug("{Request}: HTTP {Status}, {Bytes} bytes", what, status, body.Length);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt == 1)
                {
                    var wait = RetryAfter(response);
                    _logger.LogInformation("TMDB asked to slow down (429) on {Request}; retrying once in {Seconds:0.#} s", what, wait.TotalSeconds);
                    await Task.Delay(wait, cancellationToken);
                    continue;
                }
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                    throw Fail($"TMDB rejected the API key (401): {StatusMessage(body) ?? "no reason given"}; check TMDB_API_KEY");
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                    throw Fail($"TMDB refused {what} twice for too many requests (429): {StatusMessage(body) ?? "rate limit"}; try again later");
                if (!response.IsSuccessStatusCode)
                {
                    var hint = status >= 500 ? "TMDB has a problem; try again later" : "check config 'api_url'";
                    throw Fail($"TMDB answered {what} with HTTP {status} {response.ReasonPhrase}: {StatusMessage(body) ?? Excerpt(body)}; {hint}");
                }
                try
                {
                    return JsonSerializer.Deserialize(body, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)Json.GetTypeInfo(typeof(T))) ?? throw new JsonException("the answer is null");
                }
                catch (JsonException e)
                {
                    throw Fail($"TMDB's answer to {what} is not the JSON expected ({e.Message}): {Excerpt(body)}; check config 'api_url'", e);
                }
            }
        }
    }

    /// <summary>Retry-After as seconds or a date; 1 s when absent; at most <see cref="MaxRetryAfter"/>.</summary>
    private static TimeSpan RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(1));
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    private static string? StatusMessage(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, TmdbJsonContext.Default.ErrorBody)?.StatusMessage;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Excerpt(string body)
    {
        var flat = body.ReplaceLineEndings(" ").Trim();
        return flat.Length == 0 ? "empty body" : flat.Length <= 200 ? flat : flat[..200] + "…";
    }

    /// <summary>A stage failure whose text cannot carry the key, whatever the server echoed.</summary>
    private StageFailedException Fail(string message, Exception? inner = null)
    {
        var safe = _apiKey.Length > 0 ? message.Replace(_apiKey, "***", StringComparison.Ordinal) : message;
        // The inner exception goes into the manifest; keep it only when it cannot carry the key either.
        return inner is null || (_apiKey.Length > 0 && inner.ToString().Contains(_apiKey, StringComparison.Ordinal))
            ? new StageFailedException(safe)
            : new StageFailedException(safe, inner);
    }

    public void Dispose() => _http.Dispose();

    // TMDB's JSON, only the fields used.
    internal sealed record SearchPage(List<SearchMovie>? Results, int? TotalResults);

    internal sealed record SearchMovie(long Id, string? Title, string? OriginalTitle, string? ReleaseDate, string? Overview, string? OriginalLanguage);

    internal sealed record Credits(List<CastEntry>? Cast, List<CrewEntry>? Crew);

    internal sealed record CastEntry(string? Name, string? Character, int? Order);

    internal sealed record CrewEntry(string? Name, string? Job);

    internal sealed record ErrorBody(int? StatusCode, string? StatusMessage);
}

/// <summary>TMDB's answers, read through generated deserializers (no reflection in the native build).</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(TmdbClient.SearchPage))]
[System.Text.Json.Serialization.JsonSerializable(typeof(TmdbClient.Credits))]
[System.Text.Json.Serialization.JsonSerializable(typeof(TmdbClient.ErrorBody))]
internal sealed partial class TmdbJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
