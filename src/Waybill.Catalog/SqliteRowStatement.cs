using Microsoft.Data.Sqlite;
using SQLitePCL;
using Waybill.Core.Text;

namespace Waybill.Catalog;

/// <summary>
/// A <see cref="RowStatement"/> on SQLite's own prepared statement, on the connection's handle and so in its transaction.
/// Values are copied by SQLite as they are bound (SQLITE_TRANSIENT): the buffers they come from are reused.
/// </summary>
internal sealed class SqliteRowStatement : RowStatement
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    // The statement's own pointer, for SqliteBinds: valid while _statement is, which this object holds.
    private readonly nint _handle;
    private byte[] _text = new byte[512];

    public SqliteRowStatement(SqliteConnection connection, string sql, IReadOnlyList<string> names) : base(names.Count)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the catalog's connection is not open");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        _handle = _statement.DangerousGetHandle();
        try
        {
            // Bound by position: the names must be the statement's parameters, in order (SQLite numbers them as they appear).
            var count = raw.sqlite3_bind_parameter_count(_statement);
            for (var i = 0; i < Math.Max(count, names.Count); i++)
            {
                var name = i < count ? raw.sqlite3_bind_parameter_name(_statement, i + 1).utf8_to_string() : null;
                if (i < names.Count && name == names[i]) continue;
                var expected = i < names.Count ? names[i] : "absent";
                throw new InvalidOperationException($"statement parameter {i + 1} is {name ?? "missing"}, not {expected}");
            }
        }
        catch
        {
            _statement.Dispose();
            throw;
        }
    }

    public override void Dispose() => _statement.Dispose();

    // As UTF-8, the catalog's encoding: SQLite stores it without converting it. Encoded into one buffer kept for every
    // value, where the string overload made a new array of each (about 15 texts a stage run).
    protected override void Bind(int index, string? value)
    {
        if (value is null)
        {
            Check(SqliteBinds.Null(_handle, index + 1));
            return;
        }
        var most = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length);
        if (most > _text.Length) _text = new byte[Math.Max(most, _text.Length * 2)];
        var length = System.Text.Encoding.UTF8.GetBytes(value, _text);
        Check(SqliteBinds.Text(_handle, index + 1, _text.AsSpan(0, length)));
    }

    protected override void Bind(int index, long? value) =>
        Check(value is { } v ? SqliteBinds.Int64(_handle, index + 1, v) : SqliteBinds.Null(_handle, index + 1));

    protected override void Bind(int index, double? value) =>
        Check(value is { } v ? SqliteBinds.Double(_handle, index + 1, v) : SqliteBinds.Null(_handle, index + 1));

    protected override void Bind(int index, DateTimeOffset? value)
    {
        if (value is not { } time)
        {
            Check(SqliteBinds.Null(_handle, index + 1));
            return;
        }
        Span<byte> text = stackalloc byte[UtcMillisecondTime.Length];
        Check(SqliteBinds.Text(_handle, index + 1, text[..UtcMillisecondTime.Write(time, text)]));
    }

    protected override void Run()
    {
        var result = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (result != raw.SQLITE_DONE && result != raw.SQLITE_ROW) SqliteException.ThrowExceptionForRC(result, _db);
    }

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(result, _db);
    }
}
