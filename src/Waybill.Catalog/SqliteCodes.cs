namespace Waybill.Catalog;

/// <summary>The SQLite result codes the catalog tells apart (sqlite.org/rescode.html).</summary>
internal static class SqliteCodes
{
    public const int Corrupt = 11;
    public const int ReadOnly = 8;
    public const int NotADatabase = 26;
}
