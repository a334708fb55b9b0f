namespace Waybill.Catalog;

/// <summary>
/// Counts the statements in <c>--sql</c> text, outside quotes and comments. One statement at a time: a second one after
/// a COMMIT could otherwise start a transaction of its own.
/// </summary>
internal static class SqlStatements
{
    public const int MaxLength = 100_000;

    public static void RequireOne(string sql)
    {
        if (sql.Length > MaxLength) throw new CatalogSqlException($"--sql is {sql.Length:N0} characters long; at most {MaxLength:N0} are read");
        var statements = 0;
        var inStatement = false;
        string? first = null;
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            if (c is '\'' or '"')
            {
                var close = sql.IndexOf(c, i + 1);
                i = close < 0 ? sql.Length : close;
                inStatement = true;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end;
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (c == ';')
            {
                if (inStatement) statements++;
                inStatement = false;
            }
            else if (!char.IsWhiteSpace(c))
            {
                if (!inStatement && first is null) first = FirstWord(sql, i);
                inStatement = true;
            }
        }
        if (inStatement) statements++;
        if (statements == 0) throw new CatalogSqlException("--sql holds no statement: give one SELECT");
        if (statements > 1) throw new CatalogSqlException($"--sql holds {statements} statements: give one at a time");
        // The connection cannot write, but SQLite still runs VACUUM INTO (it creates the file before it fails) and
        // PRAGMA (which fails as a disk I/O error): only statements that read are passed on.
        if (first is null || !Reading.Contains(first))
            throw new CatalogSqlException($"--sql may only read: '{Core.Text.PrintableText.Of(first ?? "", 20)}' is not one of "
                + string.Join(", ", Reading.Order()) + "; the catalog changes only as runs end and by 'waybill catalog rebuild'");
    }

    private static readonly HashSet<string> Reading = new(StringComparer.OrdinalIgnoreCase) { "SELECT", "WITH", "VALUES", "EXPLAIN", "TABLE" };

    private static string FirstWord(string sql, int start)
    {
        var end = start;
        while (end < sql.Length && (char.IsAsciiLetter(sql[end]) || sql[end] == '_')) end++;
        return end == start ? sql[start].ToString() : sql[start..end].ToUpperInvariant();
    }
}
