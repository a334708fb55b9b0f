namespace Waybill.Telemetry;

/// <summary>An OpenTelemetry setting (endpoint, timeout) that cannot be used; the message names the option or variable.</summary>
internal sealed class TelemetrySettingsException(string message) : Exception(message);
