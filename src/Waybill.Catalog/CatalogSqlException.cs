namespace Waybill.Catalog;

/// <summary><c>waybill query --sql</c> was refused or failed: a statement that writes, more than one statement, bad SQL.</summary>
internal sealed class CatalogSqlException(string message, Exception? inner = null) : CatalogException(message, inner);
