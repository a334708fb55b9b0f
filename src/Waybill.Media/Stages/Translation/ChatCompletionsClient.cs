using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.Translation;

/// <summary>One message of a chat: <c>system</c>, <c>user</c> or <c>assistant</c>.</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>Token counts a server reports in <c>usage</c>; null where it reports none.</summary>
public sealed record ChatUsage(long PromptTokens, long CompletionTokens, long TotalTokens);

/// <summary>The reply's text (<c>choices[0].message.content</c>) and its token usage.</summary>
public sealed record ChatReply(string Content, ChatUsage? Usage, string? Model);

/// <summary>
/// <c>POST {url}/chat/completions</c> on an OpenAI-compatible server (OpenAI, Ollama, llama.cpp, vLLM, LM Studio).
/// A failed request becomes a <see cref="StageFailedException"/> with the HTTP status and the server's own error
/// message; the API key is sent only in the Authorization header and is never part of a message.
/// </summary>
public sealed partial class ChatCompletionsClient(HttpClient http, string baseUrl, string? apiKey)
{
    public string Endpoint { get; } = baseUrl.TrimEnd('/') + "/chat/completions";

    public async Task<ChatReply> CompleteAsync(string model, IReadOnlyList<ChatMessage> messages, double? temperature, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray([.. messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content })]),
            ["stream"] = false,
        };
        if (temperature is { } t) body["temperature"] = t;
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (!string.IsNullOrEmpty(apiKey)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new StageFailedException($"cannot reach {Endpoint}: {Hide(e.Message)}; is the server running (e.g. 'ollama serve')? Set the stage's 'url' to its OpenAI-compatible base URL", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StageFailedException($"{Endpoint} did not answer within {http.Timeout.TotalSeconds:0} s; raise 'timeout_seconds' or use a smaller 'batch_size'", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new StageFailedException($"{Endpoint} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {Hide(ErrorMessage(text))}{Hint(response.StatusCode)}");
            return Parse(text);
        }
    }

    private ChatReply Parse(string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new StageFailedException($"{Endpoint} answered with something other than JSON: {Shorten(text)}", e);
        }
        var content = root?["choices"]?[0]?["message"]?["content"];
        if (content is not JsonValue value || !value.TryGetValue<string>(out var reply))
            throw new StageFailedException($"{Endpoint} answered without choices[0].message.content: {Shorten(text)}");
        ChatUsage? usage = null;
        if (root?["usage"] is JsonObject u)
        {
            var prompt = Long(u["prompt_tokens"]);
            var completion = Long(u["completion_tokens"]);
            usage = new ChatUsage(prompt, completion, u["total_tokens"] is null ? prompt + completion : Long(u["total_tokens"]));
        }
        // Reasoning models served by Ollama or llama.cpp put their thoughts before the answer.
        return new ChatReply(ThinkBlock().Replace(reply, "").Trim(), usage, root?["model"] is JsonValue m && m.TryGetValue<string>(out var name) ? name : null);
    }

    private static long Long(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var n) ? n : node is JsonValue d && d.TryGetValue<double>(out var x) ? (long)x : 0;

    /// <summary>The server's own words: OpenAI's <c>{"error":{"message":…}}</c>, Ollama's <c>{"error":"…"}</c>, or the body.</summary>
    internal static string ErrorMessage(string body)
    {
        try
        {
            var root = JsonNode.Parse(body);
            var error = root?["error"];
            if (error is JsonValue plain && plain.TryGetValue<string>(out var message)) return message;
            if (error?["message"] is JsonValue nested && nested.TryGetValue<string>(out var detail)) return detail;
            if (root?["message"] is JsonValue top && top.TryGetValue<string>(out var other)) return other;
        }
        catch (JsonException)
        {
        }
        return body.Trim().Length == 0 ? "(empty body)" : Shorten(body.Trim());
    }

    private static string Hint(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => " (check OPENAI_API_KEY)",
        HttpStatusCode.NotFound => " (check the stage's 'url' and 'model')",
        HttpStatusCode.TooManyRequests => " (rate limited: retry later or use a smaller 'batch_size')",
        _ => "",
    };

    /// <summary>Servers sometimes quote the key they refused; it must not reach a log.</summary>
    private string Hide(string message) => string.IsNullOrEmpty(apiKey) ? message : message.Replace(apiKey, "***", StringComparison.Ordinal);

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    [GeneratedRegex(@"<think>.*?</think>", RegexOptions.Singleline)]
    private static partial Regex ThinkBlock();
}
