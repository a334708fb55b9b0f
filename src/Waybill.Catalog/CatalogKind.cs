namespace Waybill.Catalog;

/// <summary>Where the catalog lives: a SQLite file on this machine, or a PostgreSQL database a team shares.</summary>
internal enum CatalogKind
{
    Sqlite,
    Postgres,
}
