namespace Waybill.Catalog;

/// <summary>The base of every error the catalog reports: the message says what went wrong and what to do.</summary>
internal class CatalogException(string message, Exception? inner = null) : Exception(message, inner);
