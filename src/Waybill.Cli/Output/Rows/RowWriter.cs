using System.Data.Common;
using System.Globalization;

namespace Waybill.Cli.Output.Rows;

/// <summary>Prints rows as they are read: a table for people, JSON or CSV for tools. Nothing waits for the last row.</summary>
internal abstract class RowWriter(TextWriter output) : IDisposable
{
    protected TextWriter Output { get; } = output;

    public abstract void Begin(IReadOnlyList<string> columns);

    public abstract void Row(IReadOnlyList<object?> values);

    public abstract void End();

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    public static RowWriter For(TextWriter output, bool json, bool csv, IReadOnlySet<string>? hiddenInTable = null) =>
        json ? new JsonRowWriter(output) : csv ? new CsvRowWriter(output) : new TableRowWriter(output, hiddenInTable);

    /// <summary>The row the reader is on, nulls for NULL.</summary>
    public static object?[] Values(DbDataReader reader)
    {
        var values = new object?[reader.FieldCount];
        for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        return values;
    }

    /// <summary>How a value reads in a table or CSV: numbers invariant, at most three decimals.</summary>
    public static string Text(object? value) => value switch
    {
        null => "",
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        float f => f.ToString("0.###", CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.###", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
