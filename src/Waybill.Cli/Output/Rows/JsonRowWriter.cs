using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Waybill.Cli.Output.Rows;

/// <summary>A JSON array of objects, one per row, keyed by column name; written out every few rows, never held whole.</summary>
internal sealed class JsonRowWriter(TextWriter output) : RowWriter(output)
{
    private const int FlushEvery = 256;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private Utf8JsonWriter? _writer;
    private string[] _columns = [];
    private int _pending;

    public override void Begin(IReadOnlyList<string> columns)
    {
        _columns = [.. columns];
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions
        {
            Indented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        _writer.WriteStartArray();
    }

    public override void Row(IReadOnlyList<object?> values)
    {
        var writer = _writer!;
        writer.WriteStartObject();
        for (var i = 0; i < _columns.Length; i++)
        {
            writer.WritePropertyName(_columns[i]);
            switch (values[i])
            {
                case null: writer.WriteNullValue(); break;
                case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
                case float f when float.IsFinite(f): writer.WriteNumberValue(f); break;
                case decimal m: writer.WriteNumberValue(m); break;
                case long l: writer.WriteNumberValue(l); break;
                case int n: writer.WriteNumberValue(n); break;
                case short s: writer.WriteNumberValue(s); break;
                case bool b: writer.WriteBooleanValue(b); break;
                case byte[] bytes: writer.WriteBase64StringValue(bytes); break;
                case var other: writer.WriteStringValue(Text(other)); break;
            }
        }
        writer.WriteEndObject();
        if (++_pending >= FlushEvery) Flush();
    }

    public override void End()
    {
        _writer!.WriteEndArray();
        Flush();
        Output.WriteLine();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _writer?.Dispose();
        base.Dispose(disposing);
    }

    private void Flush()
    {
        _writer!.Flush();
        Output.Write(Encoding.UTF8.GetString(_buffer.WrittenSpan));
        _buffer.ResetWrittenCount();
        _pending = 0;
    }
}
