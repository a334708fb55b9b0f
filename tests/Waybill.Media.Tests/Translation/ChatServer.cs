using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

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
/// An OpenAI-compatible chat server on 127.0.0.1 (a real HTTP listener on a free port) that answers each request
/// with the next recorded response and keeps every request for the test to inspect.
/// </summary>
public sealed class ChatServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<Func<ChatRequest, (int Status, string Body)>> _replies = new();
    private readonly Task _loop;

    public ChatServer()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";
    public List<ChatRequest> Requests { get; } = [];

    public ChatServer Reply(string body, int status = 200) => Reply(_ => (status, body));

    public ChatServer Reply(Func<ChatRequest, (int Status, string Body)> reply)
    {
        lock (_replies) _replies.Enqueue(reply);
        return this;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var text = await reader.ReadToEndAsync();
            var request = new ChatRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"], JsonNode.Parse(text)!.AsObject());
            Func<ChatRequest, (int, string)>? reply;
            lock (_replies)
            {
                Requests.Add(request);
                _replies.TryDequeue(out reply);
            }
            var (status, body) = reply?.Invoke(request) ?? (500, """{"error":{"message":"the test server has no more recorded replies","type":"server_error"}}""");
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    internal static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        // Close alone: Stop and then Close would remove the prefixes twice, and the second removal re-binds the port,
        // which fails when a test running beside this one has taken it meanwhile.
        try
        {
            _listener.Close();
        }
        catch (HttpListenerException)
        {
        }
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
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
