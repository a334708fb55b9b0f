using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Waybill.Core.Stages;
using Waybill.Media.Audio;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// Sends each VAD segment, cut to its own WAV file, to an OpenAI-compatible <c>POST {url}/audio/transcriptions</c>
/// (<c>verbose_json</c> with word and segment timestamps), <paramref name="workers"/> requests at a time. Each clip holds
/// <paramref name="contextSeconds"/> of audio around its segment (see <see cref="DecodeWindow"/>).
/// Per segment rather than the whole file: uploads stay far below the 25 MB limit of a long film, silence is never
/// sent (Whisper invents text in it), and one failed request costs one segment's retry, not the whole file.
/// Each clip is deleted once its answer is in.
/// </summary>
public sealed class OpenAiRecognizer : ISpeechRecognizer
{
    private const int Attempts = 3;
    private readonly Uri _endpoint;
    private readonly string _model;
    private readonly string _language;
    private readonly string? _apiKey;
    private readonly string _uploadDir;
    private readonly int _workers;
    private readonly double _context;
    private readonly ILogger _logger;
    private readonly HttpClient _http;

    public OpenAiRecognizer(string url, string model, string language, string? apiKey, string uploadDir, int workers, ILogger logger, HttpMessageHandler? handler = null, double contextSeconds = 0.25)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.TrimEnd('/') + "/audio/transcriptions", UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            throw new StageFailedException($"config 'url' must be the server's base URL for backend openai, e.g. http://localhost:8080/v1 (it is '{url}')");
        _endpoint = endpoint;
        _model = model;
        _language = language;
        _apiKey = apiKey;
        _uploadDir = uploadDir;
        _workers = Math.Max(1, workers);
        _context = contextSeconds;
        _logger = logger;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = TimeSpan.FromMinutes(5);
    }

    public string Backend => "openai";
    public string Model => _model;
    public Uri Endpoint => _endpoint;
    public int EstimatedWords { get; private set; }

    /// <summary>Seconds between attempts after a 429, a 5xx or a lost connection (tests shorten it).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    public Task LoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IReadOnlyList<RecognizedSpan>> RecognizeAsync(SpeechAudio audio, IReadOnlyList<SpeechSegment> segments, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_uploadDir);
        _logger.LogInformation("sending {Count} segments to {Endpoint}, {Workers} at a time", segments.Count, _endpoint, _workers);
        var results = new RecognizedSpan?[segments.Count];
        var progress = new SegmentProgress(_logger, segments.Count);
        var estimated = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = _workers, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, segments.Count), options, async (index, token) =>
        {
            var segment = segments[index];
            var clip = Path.Combine(_uploadDir, $"segment-{index:D5}.wav");
            try
            {
                var (window, duration) = Cut(audio, DecodeWindow.For(segments, index, _context, audio.Duration), clip);
                var body = await PostAsync(clip, index, token);
                OpenAiVerboseJson.Result parsed;
                try
                {
                    parsed = OpenAiVerboseJson.Parse(body, duration);
                }
                catch (JsonException e)
                {
                    throw new StageFailedException($"{_endpoint} answered segment {index} with something other than verbose_json: {e.Message}; the answer began: {Shorten(body, 200)}", e);
                }
                Interlocked.Add(ref estimated, parsed.EstimatedWords);
                var words = window.Place(parsed.Words, segment);
                _logger.LogDebug("segment {Index} [{Start:0.00}-{End:0.00}]: {Text}", index, segment.Start, segment.End, parsed.Text);
                if (parsed.Text.Length > 0 || words.Count > 0) results[index] = new RecognizedSpan(index, segment.Start, segment.End, parsed.Text, words);
            }
            finally
            {
                File.Delete(clip);
            }
            progress.Done();
        });
        EstimatedWords = estimated;
        return [.. results.Where(r => r is not null).Select(r => r!)];
    }

    /// <summary>Writes the window as a WAV file at the source's rate; returns the window as cut (on whole samples) and its duration.</summary>
    private static (DecodeWindow Window, double Duration) Cut(SpeechAudio audio, DecodeWindow window, string clip)
    {
        using var reader = new WavReader(audio.Path);
        var start = (long)Math.Round(window.Start * reader.SampleRate);
        var samples = reader.ReadRange(start, (long)Math.Round(window.End * reader.SampleRate) - start);
        using (var writer = new WavWriter(clip, reader.SampleRate)) writer.Write(samples);
        var duration = samples.Length / (double)reader.SampleRate;
        return (new DecodeWindow(start / (double)reader.SampleRate, start / (double)reader.SampleRate + duration), duration);
    }

    private async Task<string> PostAsync(string clip, int index, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(await File.ReadAllBytesAsync(clip, cancellationToken));
            file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
            form.Add(file, "file", Path.GetFileName(clip));
            form.Add(new StringContent(_model), "model");
            form.Add(new StringContent("verbose_json"), "response_format");
            form.Add(new StringContent("word"), "timestamp_granularities[]");
            form.Add(new StringContent("segment"), "timestamp_granularities[]");
            if (_language.Length > 0) form.Add(new StringContent(_language), "language");
            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = form };
            if (_apiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt < Attempts)
                {
                    _logger.LogWarning("segment {Index}: {Endpoint} did not answer ({Error}); attempt {Attempt} of {Attempts}", index, _endpoint, e.Message, attempt + 1, Attempts);
                    await Task.Delay(RetryDelay * attempt, cancellationToken);
                    continue;
                }
                throw new StageFailedException($"{_endpoint} did not answer for segment {index} after {Attempts} attempts: {e.Message}. Is the server running at config 'url'?", e);
            }
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode) return body;
                var code = (int)response.StatusCode;
                if ((code == 429 || code >= 500) && attempt < Attempts)
                {
                    var wait = response.Headers.RetryAfter?.Delta is { } delta && delta < TimeSpan.FromSeconds(30) ? delta : RetryDelay * attempt;
                    _logger.LogWarning("segment {Index}: {Endpoint} answered {Code}; attempt {Attempt} of {Attempts} in {Seconds:0.#} s", index, _endpoint, code, attempt + 1, Attempts, wait.TotalSeconds);
                    await Task.Delay(wait, cancellationToken);
                    continue;
                }
                throw new StageFailedException($"{_endpoint} answered {code} ({response.ReasonPhrase}) for segment {index}: {ErrorMessage(body)}{Hint(response.StatusCode)}");
            }
        }
    }

    /// <summary>The server's own message (<c>{"error":{"message":…}}</c>), never the API key.</summary>
    private string ErrorMessage(string body)
    {
        var message = body;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
                message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.GetString() ?? body : error.ToString();
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("detail", out var detail))
                message = detail.ToString();
        }
        catch (JsonException)
        {
        }
        if (_apiKey is { Length: > 0 }) message = message.Replace(_apiKey, "***", StringComparison.Ordinal);
        return Shorten(message, 400);
    }

    private static string Hint(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => " (check the API key in OPENAI_API_KEY)",
        HttpStatusCode.NotFound => " (is config 'url' the base URL, ending in /v1?)",
        _ => "",
    };

    private static string Shorten(string text, int length)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= length ? flat : string.Concat(flat.AsSpan(0, length), "…");
    }


    public void Dispose() => _http.Dispose();
}
