using System.Runtime.InteropServices;

namespace Waybill.Catalog;

/// <summary>
/// SQLite's bind calls, made straight to the library SQLitePCL loads, on a statement it prepared: without its provider's
/// interface call, the statement handle's reference count and the runtime's transition around each call, for the 30
/// values of every stage run. The calls only copy a value into the statement (SQLITE_TRANSIENT): short, never blocking,
/// never calling back, which is what skipping the transition (<see cref="SuppressGCTransitionAttribute"/>) asks of them.
/// </summary>
internal static unsafe partial class SqliteBinds
{
    private const string Library = "e_sqlite3";

    // SQLITE_TRANSIENT: SQLite copies the bytes before the call returns, so the caller's buffer can be reused.
    private const nint Transient = -1;

    public static int Text(nint statement, int index, ReadOnlySpan<byte> utf8)
    {
        // A null pointer binds NULL: an empty text points at a byte of its own.
        byte empty = 0;
        fixed (byte* text = utf8) return BindText(statement, index, utf8.IsEmpty ? &empty : text, utf8.Length, Transient);
    }

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_int64"), SuppressGCTransition]
    public static partial int Int64(nint statement, int index, long value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_double"), SuppressGCTransition]
    public static partial int Double(nint statement, int index, double value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_null"), SuppressGCTransition]
    public static partial int Null(nint statement, int index);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_text"), SuppressGCTransition]
    private static partial int BindText(nint statement, int index, byte* text, int length, nint destructor);
}
