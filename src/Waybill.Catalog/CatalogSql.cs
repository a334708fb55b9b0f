using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Waybill.Catalog;

/// <summary><c>waybill query --sql</c>: one statement on a connection that cannot write.</summary>
internal static class CatalogSql
{
    /// <summary>
    /// Runs <paramref name="sql"/> and hands each row to <paramref name="row"/> as it is read, after <paramref name="begin"/>
    /// with the column names.
    /// </summary>
    public static void Run(CatalogTarget target, string sql, Action<IReadOnlyList<string>> begin, Action<DbDataReader> row)
    {
        SqlStatements.RequireOne(sql);
        using var connection = CatalogConnections.OpenReadOnly(target);
        using var transaction = target.Kind == CatalogKind.Postgres ? connection.BeginTransaction() : null;
        // PostgreSQL: the session is read-only already; the transaction says so again before the statement can.
        if (transaction is not null) CatalogConnections.Execute(connection, "SET TRANSACTION READ ONLY", transaction);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        try
        {
            using var reader = command.ExecuteReader();
            begin([.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)]);
            while (reader.Read()) row(reader);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteCodes.ReadOnly)
        {
            throw Refused(e);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction)
        {
            throw Refused(e);
        }
        catch (DbException e)
        {
            throw new CatalogSqlException($"--sql failed: {e.Message}", e);
        }
    }

    private static CatalogSqlException Refused(Exception e) =>
        new($"--sql may only read: the catalog is opened read-only for it ({e.Message}); it changes only as runs end "
            + "and by 'waybill catalog rebuild'", e);
}
