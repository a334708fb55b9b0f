namespace Waybill.Cli.Output.Rows;

/// <summary>
/// Aligned columns. The widths come from the first <see cref="Sample"/> rows, which wait to be printed; the rest are
/// printed as they come, a longer value pushing its line wider rather than being cut.
/// </summary>
internal sealed class TableRowWriter(TextWriter output, IReadOnlySet<string>? hidden) : RowWriter(output)
{
    private const int Sample = 200;
    private const int MaxWidth = 60;
    private readonly List<string[]> _waiting = [];
    private int[] _shown = [];
    private string[] _header = [];
    private int[]? _widths;

    public override void Begin(IReadOnlyList<string> columns)
    {
        _shown = [.. Enumerable.Range(0, columns.Count).Where(i => hidden is null || !hidden.Contains(columns[i]))];
        _header = [.. _shown.Select(i => columns[i])];
    }

    public override void Row(IReadOnlyList<object?> values)
    {
        var cells = _shown.Select(i => Text(values[i]).ReplaceLineEndings(" ")).ToArray();
        if (_widths is not null)
        {
            Write(cells);
            return;
        }
        _waiting.Add(cells);
        if (_waiting.Count >= Sample) Flush();
    }

    public override void End()
    {
        if (_widths is null) Flush();
    }

    private void Flush()
    {
        _widths = [.. _header.Select((h, c) => Math.Min(MaxWidth, _waiting.Select(r => r[c].Length).Append(h.Length).Max()))];
        Write(_header);
        foreach (var row in _waiting) Write(row);
        _waiting.Clear();
    }

    private void Write(string[] cells)
    {
        var line = string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(_widths![i])));
        Output.WriteLine(line.TrimEnd());
    }
}
