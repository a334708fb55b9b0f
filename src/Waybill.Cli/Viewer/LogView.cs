namespace Waybill.Cli.Viewer;

/// <summary>
/// The lines of a <see cref="LogFile"/> a filter lets through, in order: with no filter the file's own lines; with one,
/// the shown lines are found as far as the screen asks for, so a filter on a large log costs only what is looked at.
/// Lines that are not event lines (an exception's text) follow their event's verdict.
/// </summary>
internal sealed class LogView(LogFile file, LevelFilter level, string? category)
{
    private readonly List<int> _shown = [];
    private int _next;
    private int _lastLevel = 2;
    private bool _lastInCategory = true;
    private int _cuts = file.Cuts;

    public LogFile File { get; } = file;
    public LevelFilter Level { get; } = level;
    public string? Category { get; } = category;

    private bool Unfiltered => Level == LevelFilter.All && Category is null;

    /// <summary>Whether shown line <paramref name="index"/> exists, looking further into the file when needed.</summary>
    public bool Has(int index)
    {
        StartOverIfCut();
        if (Unfiltered) return File.Has(index);
        while (_shown.Count <= index && File.Has(_next)) Consider(_next++);
        return index < _shown.Count;
    }

    /// <summary>The shown lines known so far.</summary>
    public int Known
    {
        get
        {
            StartOverIfCut();
            return Unfiltered ? File.KnownLines : _shown.Count;
        }
    }

    /// <summary>Whether the filter has looked at every line of the file.</summary>
    public bool Complete => File.FullyIndexed && (Unfiltered || _next >= File.KnownLines);

    /// <summary>Every shown line (going to the end).</summary>
    public int CountAll()
    {
        StartOverIfCut();
        if (Unfiltered) return File.CountAll();
        while (File.Has(_next)) Consider(_next++);
        return _shown.Count;
    }

    /// <summary>The file line that shown line <paramref name="index"/> is.</summary>
    public int FileLine(int index)
    {
        StartOverIfCut();
        return Unfiltered ? index : _shown[index];
    }

    /// <summary>The first shown line at or after file line <paramref name="fileLine"/>; -1 when none is.</summary>
    public int ShownAtOrAfter(int fileLine)
    {
        StartOverIfCut();
        if (Unfiltered) return File.Has(fileLine) ? fileLine : -1;
        while ((_shown.Count == 0 || _shown[^1] < fileLine) && File.Has(_next)) Consider(_next++);
        var found = _shown.BinarySearch(fileLine);
        var index = found >= 0 ? found : ~found;
        return index < _shown.Count ? index : -1;
    }

    public string Text(int index) => File.Line(FileLine(index));

    /// <summary>The file was cut (a log rotated or rewritten): the lines found so far are gone, the filter looks again.</summary>
    private void StartOverIfCut()
    {
        if (_cuts == File.Cuts) return;
        _cuts = File.Cuts;
        _shown.Clear();
        (_next, _lastLevel, _lastInCategory) = (0, 2, true);
    }

    private void Consider(int line)
    {
        var text = File.Line(line);
        if (LineLevel.Of(text) is >= 0 and var level)
        {
            _lastLevel = level;
            _lastInCategory = Category is null || LineLevel.Category(text) is { } c
                && (c == Category || c.StartsWith(Category + ":", StringComparison.Ordinal));
        }
        if (LineLevel.Passes(Level, _lastLevel) && _lastInCategory) _shown.Add(line);
    }
}
