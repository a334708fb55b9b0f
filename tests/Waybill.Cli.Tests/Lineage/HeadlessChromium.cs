using System.Diagnostics;
using System.Text.Json;

namespace Waybill.Cli.Tests.Lineage;

/// <summary>
/// Debian's Chromium (installed by scripts/setup.sh), headless: loads a page, lets its scripts run, returns the DOM.
/// Host names resolve nowhere, and the network log lists every request the page itself made (the browser's own
/// background traffic is told apart by its network isolation key, which is file:// only for the page's requests).
/// </summary>
public static class HeadlessChromium
{
    public const string Program = "/usr/bin/chromium";

    public sealed record Page(string Dom, IReadOnlyList<string> Requests);

    public static async Task<Page> LoadAsync(string htmlPath, string fragment, string scratch)
    {
        var run = Path.Combine(scratch, "chromium-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(run);
        var netLog = Path.Combine(run, "net.json");
        var info = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--user-data-dir=" + Path.Combine(run, "profile"),
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--log-net-log=" + netLog,
            "--dump-dom", new Uri(htmlPath).AbsoluteUri + fragment,
        })
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var dom = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0 || !dom.Contains("</html>", StringComparison.Ordinal))
            throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {await stderr}");
        return new Page(dom, PageRequests(netLog));
    }

    private static List<string> PageRequests(string netLog)
    {
        using var log = JsonDocument.Parse(File.ReadAllBytes(netLog));
        var urls = new List<string>();
        foreach (var entry in log.RootElement.GetProperty("events").EnumerateArray())
        {
            if (!entry.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object) continue;
            if (!parameters.TryGetProperty("network_isolation_key", out var key) || !parameters.TryGetProperty("url", out var url)) continue;
            if (key.GetString()!.StartsWith("file://", StringComparison.Ordinal) && !url.GetString()!.StartsWith("file:", StringComparison.Ordinal))
                urls.Add(url.GetString()!);
        }
        return urls;
    }
}
