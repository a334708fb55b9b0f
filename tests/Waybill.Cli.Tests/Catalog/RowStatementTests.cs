using Microsoft.Data.Sqlite;
using Waybill.Catalog;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Catalog;

/// <summary>
/// Rows written through SQLite's own statement, values bound by position: every value arrives as given, and a statement
/// whose parameters are not the columns in order, or a row with a value missing or too many, is refused, never misfiled.
/// </summary>
public sealed class RowStatementTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly SqliteConnection _connection;

    public RowStatementTests()
    {
        _connection = new SqliteConnection($"Data Source={_temp.Combine("rows.db")};Pooling=False");
        _connection.Open();
        CatalogConnections.Execute(_connection, "CREATE TABLE t (a TEXT, b INTEGER, c REAL, d TEXT)");
    }

    public void Dispose()
    {
        _connection.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Strings_numbers_times_and_nulls_arrive_as_given()
    {
        // Strings go through one UTF-8 buffer the statement keeps, grown for a long one (past 512 bytes); "" stays "", not NULL.
        var lengthy = string.Concat(Enumerable.Repeat("Grüße, 字幕 — ", 40));
        var at = new DateTimeOffset(2026, 12, 6, 1, 2, 3, 456, TimeSpan.FromHours(2));
        using (var transaction = _connection.BeginTransaction())
        using (var insert = RowStatement.Prepare(_connection, transaction, "INSERT INTO t VALUES (@a, @b, @c, @d)", ["@a", "@b", "@c", "@d"]))
        {
            insert.Add("épisode 01 ✓").Add(long.MaxValue).Add(0.25).Add(at).Execute();
            insert.Add(lengthy).Add((long?)null).Add((double?)null).Add((DateTimeOffset?)null).Execute();
            insert.Add((string?)null).Add(-1L).Add(double.MaxValue).Add("").Execute();
            transaction.Commit();
        }

        var rows = Rows();
        Assert.Equal(["épisode 01 ✓", long.MaxValue, 0.25, "2026-12-05T23:02:03.456Z"], rows[0]);
        Assert.Equal([lengthy, null, null, null], rows[1]);
        Assert.Equal([null, -1L, double.MaxValue, ""], rows[2]);
    }

    [Fact]
    public void A_statement_whose_parameters_are_not_the_columns_in_order_is_refused()
    {
        using var transaction = _connection.BeginTransaction();
        var swapped = Assert.Throws<InvalidOperationException>(() =>
            RowStatement.Prepare(_connection, transaction, "INSERT INTO t VALUES (@a, @b, @c, @d)", ["@a", "@c", "@b", "@d"]));
        Assert.Equal("statement parameter 2 is @b, not @c", swapped.Message);
        var fewer = Assert.Throws<InvalidOperationException>(() =>
            RowStatement.Prepare(_connection, transaction, "INSERT INTO t (a, b) VALUES (@a, @b)", ["@a", "@b", "@c"]));
        Assert.Equal("statement parameter 3 is missing, not @c", fewer.Message);
    }

    [Fact]
    public void A_row_with_a_value_missing_or_one_too_many_is_refused_and_the_next_transaction_starts_a_new_row()
    {
        using var insert = RowStatement.Prepare(_connection, null!, "INSERT INTO t (a, b) VALUES (@a, @b)", ["@a", "@b"]);
        using (var transaction = _connection.BeginTransaction())
        {
            insert.Enlist(transaction);
            Assert.Equal("a row of 2 values was given 1", Assert.Throws<InvalidOperationException>(() => insert.Add("x").Execute()).Message);
            Assert.Equal("a row of 2 values was given more", Assert.Throws<InvalidOperationException>(() => insert.Add(1L).Add("y")).Message);
            transaction.Commit();
        }
        Assert.Empty(Rows());
        // The values of the row that failed are not carried into the next transaction's first row.
        using (var transaction = _connection.BeginTransaction())
        {
            insert.Enlist(transaction);
            insert.Add("z").Add(2L).Execute();
            transaction.Commit();
        }
        Assert.Equal(["z", 2L, null, null], Assert.Single(Rows()));
    }

    private List<object?[]> Rows()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT * FROM t ORDER BY rowid";
        var rows = new List<object?[]>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}
