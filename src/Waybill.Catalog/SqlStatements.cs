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
                inStatement = true;
            }
        }
        if (inStatement) statements++;
        if (statements == 0) throw new CatalogSqlException("--sql holds no statement: give one SELECT");
        if (statements > 1) throw new CatalogSqlException($"--sql holds {statements} statements: give one at a time");
    }
}
