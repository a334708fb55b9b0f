using System.CommandLine;
using Waybill.Telemetry;

namespace Waybill.Cli.Commands;

/// <summary><c>--otlp-endpoint</c>: export the run's trace and logs over OTLP/HTTP (default <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).</summary>
internal static class TelemetryOption
{
    public static Option<string?> Create() => new("--otlp-endpoint")
    {
        Description = "Export the run as an OpenTelemetry trace (a span per stage run) with its logs to this OTLP/HTTP collector "
            + "(http://localhost:4318; /v1/traces and /v1/logs are added); default $OTEL_EXPORTER_OTLP_ENDPOINT",
    };

    /// <summary>The observer for this run; null when neither the option nor the environment asks for export.</summary>
    public static OtlpRunObserver? Observer(string? endpoint)
    {
        try
        {
            return TelemetrySettings.Resolve(endpoint, Environment.GetEnvironmentVariable) is { } settings ? new OtlpRunObserver(settings) : null;
        }
        catch (TelemetrySettingsException e)
        {
            throw new CliException(e.Message, "fix the value it names: a collector's base URL (http://localhost:4318), a timeout in milliseconds");
        }
    }
}
