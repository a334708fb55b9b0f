namespace Waybill.Core.Processes;

/// <summary>The process spawner had ended before it took a request: nothing was started, so another way may start it.</summary>
internal sealed class SpawnerUnavailableException(string message) : Exception(message);
