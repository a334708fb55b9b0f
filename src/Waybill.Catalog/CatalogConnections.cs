using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Waybill.Catalog;

/// <summary>Opens connections to a catalog: read-write for indexing, read-only for <c>waybill query --sql</c>.</summary>
internal static class CatalogConnections
{
    // A run that indexes while another does waits for the other's one short transaction rather than failing.
    private const int BusyTimeoutMs = 10_000;

    // SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE
    private const int NoCheckpointOnClose = 1006;

    // A data source per connection string for the life of the process: disposing one would close its connections.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, NpgsqlDataSource> Sources = new(StringComparer.Ordinal);

    public static DbConnection OpenReadWrite(CatalogTarget target)
    {
        if (target.Kind == CatalogKind.Postgres) return OpenPostgres(target, readOnly: false);
        var folder = Path.GetDirectoryName(target.Location)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CatalogUnavailableException($"catalog {target.Display}: cannot create its folder ({e.Message})", e);
        }
        var connection = OpenSqlite(target, SqliteOpenMode.ReadWriteCreate);
        // WAL: readers never wait for a writer and two runs' writes queue on the lock; NORMAL: one fsync per checkpoint,
        // not per transaction (the catalog can always be rebuilt from the job folders).
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA journal_size_limit=4194304");
        // Closing the last connection would copy the log into the file and sync both to disk (6-7 ms on ext4), which the
        // end of a run, or of `jobs` and `query` just after one, would wait for. A run makes that copy once its end no
        // longer waits (CatalogStore.EmptyLog), or the next one as it opens the catalog (CatalogStore.Checkpoint), and
        // SQLite's own past 1,000 pages bounds the log during large writes. Once the log starts over after a copy it is
        // cut back to 4 MiB (journal_size_limit), not left at the size of the largest write (a rebuild's: as large as the
        // catalog).
        SQLitePCL.raw.sqlite3_db_config(connection.Handle!, NoCheckpointOnClose, 1, out _);
        return connection;
    }

    /// <summary>A connection on which nothing can be written: SQLite opened read-only; PostgreSQL in read-only transactions.</summary>
    public static DbConnection OpenReadOnly(CatalogTarget target)
    {
        if (target.Kind == CatalogKind.Postgres) return OpenPostgres(target, readOnly: true);
        var connection = OpenSqlite(target, SqliteOpenMode.ReadOnly);
        Execute(connection, "PRAGMA query_only=1");
        MapForReading(connection);
        return connection;
    }

    /// <summary>
    /// Lets SQLite read the catalog file through a memory map instead of copying each page it reads: the stats query of
    /// 10,000 stage runs by stage 0.5-1.2 ms sooner as a whole command, failed runs 0.5-1.4 ms (docs/performance.md,
    /// "Reading through a map"). For commands that only read: where the file cannot be read, a map ends the process with a
    /// signal instead of an error, and a run must never fail for its catalog.
    /// </summary>
    public static void MapForReading(DbConnection connection)
    {
        if (connection is SqliteConnection) Execute(connection, "PRAGMA mmap_size=268435456");
    }

    public static void Execute(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    private static SqliteConnection OpenSqlite(CatalogTarget target, SqliteOpenMode mode)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = target.Location,
            Mode = mode,
            // Pooled connections keep the file open until the process ends; a damaged catalog must be movable aside at once.
            Pooling = false,
            DefaultTimeout = BusyTimeoutMs / 1000,
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout={BusyTimeoutMs}");
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            if (e.SqliteErrorCode is SqliteCodes.NotADatabase or SqliteCodes.Corrupt) throw new CatalogDamagedException(e.Message, e);
            throw new CatalogUnavailableException($"catalog {target.Display}: cannot open it ({e.Message})", e);
        }
    }

    private static NpgsqlConnection OpenPostgres(CatalogTarget target, bool readOnly)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(target.Location));
        // Every transaction of a read-only session is read-only, including one a statement starts after a COMMIT.
        if (readOnly) builder.Options = (builder.Options is { Length: > 0 } o ? o + " " : "") + "-c default_transaction_read_only=on";
        // The slim builder leaves out what needs reflection, so the native build can use it.
        var connection = Sources.GetOrAdd(builder.ConnectionString, text => new NpgsqlSlimDataSourceBuilder(text).Build()).CreateConnection();
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            connection.Dispose();
            throw new CatalogUnavailableException($"catalog {target.Display}: cannot connect ({e.Message})", e);
        }
    }
}
