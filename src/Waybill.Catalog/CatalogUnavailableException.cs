namespace Waybill.Catalog;

/// <summary>The catalog could not be opened or written (no such server, a folder that cannot be written, a newer schema).</summary>
internal sealed class CatalogUnavailableException(string message, Exception? inner = null) : CatalogException(message, inner);
