using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Lineage;

namespace Waybill.Cli.Tests.Report;

/// <summary>
/// Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket on 127.0.0.1, port chosen by Chromium and
/// read from the line it prints): load a page, evaluate script, click with real mouse events, take screenshots, and
/// collect every console error, uncaught exception and network request of the page. Host names resolve nowhere.
/// Everything Chromium writes (profile, temporary files) stays under the scratch folder given.
/// </summary>
public sealed class ChromiumDevTools : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode>> _pending = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _receiving;
    private int _nextId;
    private string? _session;

    private ChromiumDevTools(Process process) => _process = process;

    /// <summary>Console errors, uncaught exceptions and error log entries of the page, in order.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>Every URL the page requested other than file: and data: URLs.</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    public static async Task<ChromiumDevTools> StartAsync(string scratch, int width, int height)
    {
        var run = Path.Combine(scratch, "devtools-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(run, "tmp"));
        var info = new ProcessStartInfo(HeadlessChromium.Program)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", "--hide-scrollbars",
            "--user-data-dir=" + Path.Combine(run, "profile"), "--host-resolver-rules=MAP * ~NOTFOUND",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", $"--window-size={width},{height}", "about:blank",
        })
            info.ArgumentList.Add(argument);
        info.Environment["TMPDIR"] = Path.Combine(run, "tmp");
        var process = Process.Start(info)!;
        var devtools = new ChromiumDevTools(process);
        _ = process.StandardOutput.ReadToEndAsync();
        try
        {
            using var timeout = new CancellationTokenSource(Timeout);
            string? endpoint = null;
            while (endpoint is null && await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
                if (line.StartsWith("DevTools listening on ", StringComparison.Ordinal)) endpoint = line["DevTools listening on ".Length..].Trim();
            if (endpoint is null)
                throw new InvalidOperationException($"chromium exited ({(process.HasExited ? process.ExitCode : -1)}) without a DevTools endpoint");
            _ = process.StandardError.ReadToEndAsync();
            await devtools._socket.ConnectAsync(new Uri(endpoint), timeout.Token);
            devtools._receiving = Task.Run(devtools.ReceiveAsync);
            var target = await devtools.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, browser: true);
            var attach = new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true };
            var attached = await devtools.SendAsync("Target.attachToTarget", attach, browser: true);
            devtools._session = attached["sessionId"]!.GetValue<string>();
            foreach (var domain in new[] { "Page.enable", "Runtime.enable", "Log.enable", "Network.enable" }) await devtools.SendAsync(domain);
            await devtools.SendAsync("Emulation.setDeviceMetricsOverride",
                new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false });
            return devtools;
        }
        catch
        {
            await devtools.DisposeAsync();
            throw;
        }
    }

    /// <summary>Loads the file and waits for its load event (the inline script has run by then).</summary>
    public async Task OpenAsync(string htmlPath, string fragment = "")
    {
        _loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await SendAsync("Page.navigate", new JsonObject { ["url"] = new Uri(htmlPath).AbsoluteUri + fragment });
        await _loaded.Task.WaitAsync(Timeout);
    }

    /// <summary>The value of a script expression (JSON-serialisable), evaluated in the page.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate",
            new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is { } failed) throw new InvalidOperationException($"script failed: {failed.ToJsonString()}");
        return result["result"]?["value"];
    }

    /// <summary>A left click with real mouse events at a point of the viewport (CSS pixels).</summary>
    public async Task ClickAsync(double x, double y)
    {
        await SendAsync("Input.dispatchMouseEvent", new JsonObject { ["type"] = "mouseMoved", ["x"] = x, ["y"] = y });
        foreach (var type in new[] { "mousePressed", "mouseReleased" })
            await SendAsync("Input.dispatchMouseEvent",
                new JsonObject { ["type"] = type, ["x"] = x, ["y"] = y, ["button"] = "left", ["clickCount"] = 1 });
    }

    /// <summary>A PNG of a region of the page (CSS pixels, page coordinates).</summary>
    public async Task<byte[]> ScreenshotAsync(double x, double y, double width, double height)
    {
        var clip = new JsonObject { ["x"] = x, ["y"] = y, ["width"] = width, ["height"] = height, ["scale"] = 1 };
        var shot = await SendAsync("Page.captureScreenshot",
            new JsonObject { ["format"] = "png", ["clip"] = clip, ["captureBeyondViewport"] = true });
        return Convert.FromBase64String(shot["data"]!.GetValue<string>());
    }

    private async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null, bool browser = false)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (!browser) message["sessionId"] = _session;
        var reply = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, _stop.Token);
        var answer = await reply.Task.WaitAsync(Timeout);
        if (answer["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        return answer["result"] ?? new JsonObject();
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var part = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (part.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, part.Count);
                if (!part.EndOfMessage) continue;
                Dispatch(JsonNode.Parse(message.ToArray())!);
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        foreach (var waiting in _pending.Values) waiting.TrySetException(new InvalidOperationException("the DevTools connection closed"));
    }

    private void Dispatch(JsonNode message)
    {
        if (message["id"] is { } id)
        {
            if (_pending.TryRemove(id.GetValue<int>(), out var reply)) reply.TrySetResult(message);
            return;
        }
        var parameters = message["params"] ?? new JsonObject();
        var method = message["method"]?.GetValue<string>();
        var consoleType = parameters["type"]?.GetValue<string>();
        var url = parameters["request"]?["url"]?.GetValue<string>();
        if (method == "Page.loadEventFired") _loaded.TrySetResult();
        else if (method == "Runtime.exceptionThrown") _errors.Enqueue("exception: " + parameters["exceptionDetails"]?.ToJsonString());
        else if (method == "Runtime.consoleAPICalled" && consoleType is "error" or "assert")
            _errors.Enqueue("console: " + parameters["args"]?.ToJsonString());
        else if (method == "Log.entryAdded" && parameters["entry"]?["level"]?.GetValue<string>() == "error")
            _errors.Enqueue("log: " + parameters["entry"]!["text"]?.GetValue<string>());
        else if (method == "Network.requestWillBeSent" && url is not null
            && !url.StartsWith("file:", StringComparison.Ordinal) && !url.StartsWith("data:", StringComparison.Ordinal))
            _requests.Enqueue(url);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var close = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.SendAsync(Encoding.UTF8.GetBytes(new JsonObject { ["id"] = 0, ["method"] = "Browser.close" }.ToJsonString()),
                    WebSocketMessageType.Text, true, close.Token);
                await _process.WaitForExitAsync(close.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        await _stop.CancelAsync();
        if (_receiving is not null) await _receiving;
        _socket.Dispose();
        _stop.Dispose();
        _process.Dispose();
    }
}
