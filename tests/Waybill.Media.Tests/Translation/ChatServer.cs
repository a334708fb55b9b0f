using System.Text.Json.Nodes;
using Waybill.Tests.Support;

namespace Waybill.Media.Tests.Translation;

/// <summary>A request the server received: path, Authorization header and the JSON body.</summary>
public sealed record ChatRequest(string Method, string Path, string? Authorization, JsonObject Body)
{
    public string Model => Body["model"]!.GetValue<string>();
    public List<(string Role, string Content)> Messages =>
        [.. Body["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>()))];
    public string System => Messages.Single(m => m.Role == "system").Content;
    public string User => Messages.Last(m => m.Role == "user").Content;
}

/// <summary>
/// An OpenAI-compatible chat server: a real local HTTP server (<see cref="HttpTestServer"/>) that answers each request,
/// in the order they arrive, with the next recorded response, and keeps every request for the test to inspect.
/// </summary>
public sealed class ChatServer : IDisposable
{
    private readonly Queue<Func<ChatRequest, (int Status, string Body)>> _replies = new();
    private readonly HttpTestServer _server;

    public ChatServer()
    {
        _server = new HttpTestServer(Answer, oneAtATime: true);
    }

    public int Port => _server.Port;
    public string BaseUrl => _server.Url("/v1");
    public List<ChatRequest> Requests { get; } = [];

    public ChatServer Reply(string body, int status = 200) => Reply(_ => (status, body));

    public ChatServer Reply(Func<ChatRequest, (int Status, string Body)> reply)
    {
        lock (_replies) _replies.Enqueue(reply);
        return this;
    }

    private HttpTestReply Answer(HttpTestRequest received)
    {
        var request = new ChatRequest(received.Method, received.Path, received.Authorization, JsonNode.Parse(received.Text)!.AsObject());
        Func<ChatRequest, (int, string)>? reply;
        lock (_replies)
        {
            Requests.Add(request);
            _replies.TryDequeue(out reply);
        }
        var (status, body) = reply?.Invoke(request) ?? (500, """{"error":{"message":"the test server has no more recorded replies","type":"server_error"}}""");
        return new HttpTestReply(status, body);
    }

    public void Dispose() => _server.Dispose();
}

/// <summary>Responses as OpenAI's chat completions endpoint and Ollama's OpenAI-compatible one send them.</summary>
public static class ChatReplies
{
    /// <summary>An OpenAI <c>chat.completion</c> object, fields as the API returns them.</summary>
    public static string OpenAi(string content, int promptTokens, int completionTokens, string model = "gpt-4o-mini-2024-07-18") =>
        new JsonObject
        {
            ["id"] = "chatcmpl-AXb2kQmV1sXy7rT9oLZ3nYq8wJfPe",
            ["object"] = "chat.completion",
            ["created"] = 1732665600,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content, ["refusal"] = null },
                ["logprobs"] = null,
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
                ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0, ["audio_tokens"] = 0 },
                ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0, ["audio_tokens"] = 0, ["accepted_prediction_tokens"] = 0, ["rejected_prediction_tokens"] = 0 },
            },
            ["system_fingerprint"] = "fp_0ba0d124f1",
        }.ToJsonString();

    /// <summary>Ollama's <c>/v1/chat/completions</c> reply: the same shape, its own id and fingerprint.</summary>
    public static string Ollama(string content, int promptTokens, int completionTokens, string model = "llama3.1") =>
        new JsonObject
        {
            ["id"] = "chatcmpl-512",
            ["object"] = "chat.completion",
            ["created"] = 1732665601,
            ["model"] = model,
            ["system_fingerprint"] = "fp_ollama",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["completion_tokens"] = completionTokens, ["total_tokens"] = promptTokens + completionTokens },
        }.ToJsonString();

    public const string InvalidKey = """
        {
            "error": {
                "message": "Incorrect API key provided: sk-test-0123456789abcdef. You can find your API key in your account settings.",
                "type": "invalid_request_error",
                "param": null,
                "code": "invalid_api_key"
            }
        }
        """;

    public const string OllamaCrashed = """{"error":{"message":"llama runner process has terminated: signal: killed","type":"api_error","param":null,"code":null}}""";
}
