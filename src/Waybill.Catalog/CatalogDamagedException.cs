namespace Waybill.Catalog;

/// <summary>The catalog file is not a SQLite database, or is damaged: it is moved aside and rebuilt from the job folders.</summary>
internal sealed class CatalogDamagedException(string message, Exception? inner = null) : CatalogException(message, inner);
