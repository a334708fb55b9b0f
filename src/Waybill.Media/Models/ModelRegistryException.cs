namespace Waybill.Media.Models;

/// <summary>A registry file (WAYBILL_MODEL_REGISTRY) is unreadable or malformed: bad input, nothing was fetched.</summary>
public sealed class ModelRegistryException(string message, string? hint = null, Exception? inner = null) : ModelException(message, hint, inner);
