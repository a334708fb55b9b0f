using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Waybill.Catalog;

/// <summary>
/// An open catalog, ready to index. The job folders are the truth: a catalog that is missing, damaged or of an older
/// schema is rebuilt from them when it is opened, with a message; it is never trusted as it was.
/// </summary>
internal sealed class CatalogStore : IDisposable
{
    private readonly TimeProvider _time;
    private CatalogWriter.Batch? _writer;

    private CatalogStore(CatalogTarget target, DbConnection connection, TimeProvider time)
    {
        Target = target;
        Connection = connection;
        _time = time;
    }

    public CatalogTarget Target { get; }

    internal DbConnection Connection { get; }

    /// <summary>
    /// Opens <paramref name="target"/> for writing; <paramref name="roots"/> are the folders of job folders a rebuild scans
    /// when the catalog must be made anew, and <paramref name="say"/> is told why it was.
    /// </summary>
    public static CatalogStore Open(CatalogTarget target, IReadOnlyList<string> roots, Action<string> say, TimeProvider time)
    {
        var (store, why) = OpenReady(target, time);
        if (why is null) return store;
        try
        {
            var rebuilt = store.Rebuild(roots);
            say($"{why}: rebuilt it from the job folders under {Where(roots)} ({rebuilt.Describe()})");
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <see cref="Open"/> for a command that reads the catalog (and rebuilds it when it must): its connection reads through a
    /// memory map (<see cref="CatalogConnections.MapForReading"/>).
    /// </summary>
    public static CatalogStore OpenForReading(CatalogTarget target, IReadOnlyList<string> roots, Action<string> say, TimeProvider time)
    {
        var store = Open(target, roots, say, time);
        CatalogConnections.MapForReading(store.Connection);
        return store;
    }

    /// <summary>
    /// Indexes every job folder under <paramref name="roots"/> and marks the catalog's jobs whose folders are gone, then
    /// copies SQLite's write-ahead log into the catalog file and empties it: a rebuild leaves as much in the log as the
    /// catalog holds, and every command that opens the catalog while no other has it open reads the whole log again
    /// (10,000 stage runs: a 4.9 MB log, 3.5 ms of each `waybill query`; docs/performance.md, "A log read by every query").
    /// </summary>
    public RebuildResult Rebuild(IReadOnlyList<string> roots)
    {
        var result = CatalogRebuild.Run(this, roots, _time);
        EmptyLog();
        return result;
    }

    /// <summary>
    /// Copies SQLite's write-ahead log into the catalog file and empties it, waiting (busy timeout) for readers still on it:
    /// the next connection to open the catalog has no log to read back.
    /// </summary>
    internal void EmptyLog()
    {
        if (Connection is SqliteConnection) CatalogConnections.Execute(Connection, "PRAGMA wal_checkpoint(TRUNCATE)");
    }

    /// <summary>
    /// Writes a job and stage runs of it in one transaction; with <paramref name="totals"/>, also the job's totals over all
    /// its stage runs (once, when the run ends: a pass over the job's rows per batch would make a long run quadratic).
    /// </summary>
    internal void Index(JobRow job, IReadOnlyList<StageRunRow> stages, bool totals = true)
    {
        var now = _time.GetUtcNow();
        using var transaction = Connection.BeginTransaction();
        if (_writer is null) _writer = new CatalogWriter.Batch(Connection, transaction, now);
        else _writer.Begin(transaction, now);
        _writer.Write(job, stages, totals);
        transaction.Commit();
    }

    /// <summary>
    /// Copies what SQLite's write-ahead log holds into the catalog file, without waiting for readers or writers: a run does
    /// it as it opens the catalog, in the background while its stages run, for what an earlier run left (one that ended
    /// before it could <see cref="EmptyLog"/>), instead of as its last transaction ends (<see cref="StopCheckpointing"/>)
    /// or its connection closes (never: <see cref="CatalogConnections"/>).
    /// </summary>
    internal void Checkpoint()
    {
        if (Connection is SqliteConnection) CatalogConnections.Execute(Connection, "PRAGMA wal_checkpoint(PASSIVE)");
    }

    /// <summary>
    /// Prepares the statements a write runs (<see cref="CatalogWriter.Batch"/>): a run does it as it opens the catalog, so
    /// that its last transaction, which the run's end waits for, only writes.
    /// </summary>
    internal void PrepareWrites() => _writer ??= new CatalogWriter.Batch(Connection, null, _time.GetUtcNow());

    /// <summary>
    /// From now on no commit of this connection copies SQLite's write-ahead log into the catalog file, as SQLite does once
    /// the log passes 1,000 pages: for a run's last transaction, which the run's end waits for. The copy syncs both files
    /// to disk, 6-7 ms of the 500-stage benchmark's 0.42 s on ext4 (docs/performance.md); it is made once the run no
    /// longer waits (<see cref="EmptyLog"/>), or by the next run as it opens the catalog (<see cref="Checkpoint"/>).
    /// </summary>
    internal void StopCheckpointing()
    {
        if (Connection is SqliteConnection) CatalogConnections.Execute(Connection, "PRAGMA wal_autocheckpoint=0");
    }

    public void Dispose()
    {
        _writer?.Dispose();
        Connection.Dispose();
    }

    private static string Where(IReadOnlyList<string> roots) =>
        string.Join(", ", roots.Select(r => Path.GetRelativePath(Environment.CurrentDirectory, r)));

    /// <summary>The store with its tables in place, and why it must be rebuilt (null: it need not).</summary>
    private static (CatalogStore Store, string? Why) OpenReady(CatalogTarget target, TimeProvider time)
    {
        string? why = null;
        if (target.Kind == CatalogKind.Sqlite && !File.Exists(target.Location)) why = $"no catalog at {target.Display} yet";
        DbConnection connection;
        try
        {
            connection = CatalogConnections.OpenReadWrite(target);
            var made = Prepare(connection, target);
            why ??= made;
        }
        catch (Exception e) when (e is CatalogDamagedException
            or SqliteException { SqliteErrorCode: SqliteCodes.NotADatabase or SqliteCodes.Corrupt })
        {
            var aside = MoveAside(target);
            connection = CatalogConnections.OpenReadWrite(target);
            Prepare(connection, target);
            why = $"catalog {target.Display} was damaged ({e.Message}); kept it as {aside}";
        }
        return (new CatalogStore(target, connection, time), why);
    }

    /// <summary>Creates the tables when absent, drops and recreates those of an older schema; says why when it did either.</summary>
    private static string? Prepare(DbConnection connection, CatalogTarget target)
    {
        using var transaction = connection.BeginTransaction();
        // Two runs that find no catalog at once: the second waits here and then finds the first one's tables.
        if (target.Kind == CatalogKind.Postgres) CatalogConnections.Execute(connection, "SELECT pg_advisory_xact_lock(72930514)", transaction);
        var version = SchemaVersion(connection, transaction, target.Kind);
        string? why = null;
        if (version is { } found && found > CatalogSchema.Version)
        {
            throw new CatalogUnavailableException($"catalog {target.Display} has schema version {found}, written by a newer Waybill; "
                + $"this one knows version {CatalogSchema.Version}: upgrade waybill, or give another --catalog");
        }
        if (version is { } migrated && CatalogSchema.Migrations.TryGetValue(migrated, out var steps))
        {
            foreach (var sql in steps) CatalogConnections.Execute(connection, sql, transaction);
            CatalogConnections.Execute(connection, $"UPDATE meta SET value = '{CatalogSchema.Version}' WHERE key = 'schema_version'", transaction);
        }
        else if (version is { } older && older < CatalogSchema.Version)
        {
            foreach (var sql in CatalogSchema.Drop) CatalogConnections.Execute(connection, sql, transaction);
            why = $"catalog {target.Display} had schema version {older}, this Waybill writes {CatalogSchema.Version}";
        }
        else if (version is null)
        {
            why = target.Kind == CatalogKind.Sqlite
                ? $"catalog {target.Display} held no catalog tables"
                : $"catalog {target.Display} had no Waybill tables yet";
        }
        if (why is not null)
        {
            foreach (var sql in CatalogSchema.Create(target.Kind)) CatalogConnections.Execute(connection, sql, transaction);
            var stamp = $"INSERT INTO meta (key, value) VALUES ('schema_version', '{CatalogSchema.Version}')";
            CatalogConnections.Execute(connection, stamp, transaction);
        }
        transaction.Commit();
        return why;
    }

    private static int? SchemaVersion(DbConnection connection, DbTransaction transaction, CatalogKind kind)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = kind == CatalogKind.Postgres
            ? "SELECT to_regclass('meta') IS NOT NULL"
            : "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'";
        if (!Convert.ToBoolean(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)) return null;
        command.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
        return command.ExecuteScalar() is string text && int.TryParse(text, out var version) ? version : 0;
    }

    /// <summary>The damaged file is kept beside the new one (nothing lost); its WAL and index files go with it.</summary>
    private static string MoveAside(CatalogTarget target)
    {
        var aside = target.Location + ".damaged";
        File.Move(target.Location, aside, overwrite: true);
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(target.Location + suffix)) File.Move(target.Location + suffix, aside + suffix, overwrite: true);
        }
        return aside;
    }
}
