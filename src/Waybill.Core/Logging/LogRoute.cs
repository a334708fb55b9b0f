using Microsoft.Extensions.Logging;

namespace Waybill.Core.Logging;

/// <summary>A sink and the lowest level it receives.</summary>
public readonly record struct LogRoute(ILogSink Sink, LogLevel MinimumLevel);
