using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Waybill.Catalog;

/// <summary>
/// A statement prepared once that writes one row per <see cref="Execute"/>, its values added in the order of its parameters.
/// On SQLite it binds them by position on SQLite's own statement, with no boxing, no name look-up and no string copied to
/// the heap: through Microsoft.Data.Sqlite's command a run's indexing cost 46.9 µs and 4.5 KB per stage run, by position
/// 24.7 µs and 0.7 KB (docs/performance.md, "Indexing for less"). Other databases go through their command.
/// </summary>
internal abstract class RowStatement : IDisposable
{
    private readonly int _count;
    private int _next;

    protected RowStatement(int count) => _count = count;

    public static RowStatement Prepare(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<string> names) =>
        connection is SqliteConnection sqlite
            ? new SqliteRowStatement(sqlite, sql, names)
            : new CommandRowStatement(SqlParameters.Command(connection, transaction, sql, [.. names]));

    /// <summary>
    /// Runs what follows in <paramref name="transaction"/> (SQLite's statements run in their connection's), from a new row:
    /// values added to a row that failed before it was written are dropped.
    /// </summary>
    public void Enlist(DbTransaction? transaction)
    {
        _next = 0;
        OnEnlist(transaction);
    }

    public RowStatement Add(string? value)
    {
        Bind(Next(), value);
        return this;
    }

    public RowStatement Add(long? value)
    {
        Bind(Next(), value);
        return this;
    }

    public RowStatement Add(double? value)
    {
        Bind(Next(), value);
        return this;
    }

    /// <summary>A time as the catalog stores it: <see cref="SqlParameters.Time"/>.</summary>
    public RowStatement Add(DateTimeOffset? value)
    {
        Bind(Next(), value);
        return this;
    }

    /// <summary>Writes the row whose values were added; every parameter must have one.</summary>
    public void Execute()
    {
        if (_next != _count) throw new InvalidOperationException($"a row of {_count} values was given {_next}");
        _next = 0;
        Run();
    }

    public abstract void Dispose();

    protected abstract void Bind(int index, string? value);

    protected abstract void Bind(int index, long? value);

    protected abstract void Bind(int index, double? value);

    protected abstract void Bind(int index, DateTimeOffset? value);

    protected virtual void OnEnlist(DbTransaction? transaction)
    {
    }

    protected abstract void Run();

    private int Next()
    {
        if (_next == _count) throw new InvalidOperationException($"a row of {_count} values was given more");
        return _next++;
    }

    /// <summary>Through the database's own command and its parameters (PostgreSQL).</summary>
    private sealed class CommandRowStatement(DbCommand command) : RowStatement(command.Parameters.Count)
    {
        protected override void OnEnlist(DbTransaction? transaction) => command.Transaction = transaction;

        public override void Dispose() => command.Dispose();

        protected override void Bind(int index, string? value) => SqlParameters.Set(command, index, value);

        protected override void Bind(int index, long? value) => SqlParameters.Set(command, index, value);

        protected override void Bind(int index, double? value) => SqlParameters.Set(command, index, value);

        protected override void Bind(int index, DateTimeOffset? value) => SqlParameters.Set(command, index, value);

        protected override void Run() => command.ExecuteNonQuery();
    }
}
