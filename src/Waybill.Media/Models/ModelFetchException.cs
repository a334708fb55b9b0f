namespace Waybill.Media.Models;

/// <summary>A model could not be fetched (source unreachable, HTTP error, wrong size or checksum); nothing was installed.</summary>
public sealed class ModelFetchException(string message, string? hint = null, Exception? inner = null) : ModelException(message, hint, inner);
