using System.Globalization;

namespace Waybill.Telemetry;

/// <summary>
/// Where a run's trace and logs go over OTLP/HTTP: the collector's base URL (<c>--otlp-endpoint</c>, else
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) with <c>/v1/traces</c> and <c>/v1/logs</c> added (or the per-signal variables as
/// given), and how long one export may take. Headers (<c>OTEL_EXPORTER_OTLP_HEADERS</c>, credentials among them) are read
/// by the SDK from the environment and never written anywhere by Waybill.
/// </summary>
internal sealed record TelemetrySettings(Uri TracesEndpoint, Uri LogsEndpoint, TimeSpan ExportTimeout)
{
    /// <summary>
    /// One export's limit unless <c>OTEL_EXPORTER_OTLP_TIMEOUT</c> says otherwise: short, because a run waits for its last
    /// export when it ends; a collector that does not answer within it costs the run this much, once, and one warning.
    /// </summary>
    public static readonly TimeSpan DefaultExportTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Null when nothing asks for export (or <c>OTEL_SDK_DISABLED=true</c>).</summary>
    /// <param name="endpoint">The <c>--otlp-endpoint</c> option; null: the environment's.</param>
    /// <param name="variable">Reads an environment variable (the process's, or a test's).</param>
    /// <exception cref="TelemetrySettingsException">An endpoint or timeout that cannot be used, named with where it came from.</exception>
    public static TelemetrySettings? Resolve(string? endpoint, Func<string, string?> variable)
    {
        if (Value(variable("OTEL_SDK_DISABLED"))?.Equals("true", StringComparison.OrdinalIgnoreCase) == true) return null;
        var (baseText, source) = endpoint is not null
            ? (endpoint, "--otlp-endpoint")
            : (Value(variable("OTEL_EXPORTER_OTLP_ENDPOINT")), "OTEL_EXPORTER_OTLP_ENDPOINT");
        var tracesText = endpoint is null ? Value(variable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) : null;
        var logsText = endpoint is null ? Value(variable("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")) : null;
        if (baseText is null && tracesText is null) return null;
        var traces = tracesText is not null ? Parse(tracesText, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") : Signal(Parse(baseText!, source), "traces");
        var logs = logsText is not null ? Parse(logsText, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")
            : baseText is not null ? Signal(Parse(baseText, source), "logs") : new Uri(traces, "/v1/logs");
        var timeout = DefaultExportTimeout;
        if (Value(variable("OTEL_EXPORTER_OTLP_TIMEOUT")) is { } ms)
        {
            if (!int.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds < 1)
                throw new TelemetrySettingsException($"OTEL_EXPORTER_OTLP_TIMEOUT is '{Shown(ms)}', not a number of milliseconds (1 or more)");
            timeout = TimeSpan.FromMilliseconds(milliseconds);
        }
        return new TelemetrySettings(traces, logs, timeout);
    }

    /// <summary>The endpoint as a warning may show it: no user name or password, no query.</summary>
    public static string Shown(Uri endpoint) => Core.Text.UrlDisplay.Of(endpoint);

    private static Uri Signal(Uri root, string signal) => new(root.AbsoluteUri.TrimEnd('/') + "/v1/" + signal);

    private static Uri Parse(string text, string source)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0) return uri;
        throw new TelemetrySettingsException($"{source} is '{Shown(text)}', not an http:// or https:// URL of an OTLP/HTTP collector "
            + "(for example http://localhost:4318)");
    }

    private static string? Value(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Shown(string text) => Core.Text.PrintableText.Of(Core.Text.UrlDisplay.OfText(text), 80);
}
