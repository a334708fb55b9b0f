namespace Waybill.Media.Models;

/// <summary>An id names no known model; the message lists the known ids, closest first.</summary>
public sealed class UnknownModelException(string message, string? hint = null) : ModelException(message, hint);
