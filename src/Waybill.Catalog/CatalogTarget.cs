namespace Waybill.Catalog;

/// <summary>
/// A catalog to open: a SQLite file (<see cref="Location"/> is its full path) or a PostgreSQL URL. <see cref="Display"/>
/// names it in messages with any password masked.
/// </summary>
internal sealed record CatalogTarget(CatalogKind Kind, string Location, string Display)
{
    /// <summary>A path, or a <c>postgres://</c> / <c>postgresql://</c> URL.</summary>
    public static CatalogTarget Parse(string text)
    {
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new CatalogTarget(CatalogKind.Postgres, text, PostgresUrl.Masked(text));
        if (text.Contains("://", StringComparison.Ordinal))
        {
            throw new CatalogException($"catalog '{text}' is neither a file path nor a postgres:// URL: "
                + "give a path such as ~/catalog.db or postgres://user@host/db");
        }
        var full = Path.GetFullPath(text);
        return new CatalogTarget(CatalogKind.Sqlite, full, full);
    }
}
