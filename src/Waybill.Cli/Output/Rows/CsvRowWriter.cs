namespace Waybill.Cli.Output.Rows;

/// <summary>RFC 4180: a header line, then a line per row; a field with a comma, quote or line break is quoted.</summary>
internal sealed class CsvRowWriter(TextWriter output) : RowWriter(output)
{
    public override void Begin(IReadOnlyList<string> columns) => Line(columns);

    public override void Row(IReadOnlyList<object?> values) => Line([.. values.Select(Text)]);

    public override void End()
    {
    }

    private void Line(IReadOnlyList<string> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0) Output.Write(',');
            var field = fields[i];
            if (field.AsSpan().IndexOfAny(",\"\r\n") < 0) Output.Write(field);
            else Output.Write("\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"");
        }
        Output.Write("\r\n");
    }
}
