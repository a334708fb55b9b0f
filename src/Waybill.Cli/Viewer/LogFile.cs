using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Waybill.Cli.Viewer;

/// <summary>
/// A log file read lazily: line starts are found only as far as something asks for (the first screen of a
/// 1,000,000-line log needs its first few kilobytes), in blocks, with a vectorized search for newlines; the file may
/// grow while it is open (a running job) and is then indexed further on the next call.
/// </summary>
internal sealed class LogFile : IDisposable
{
    // 1 MiB blocks: indexing a 150 MB, 1,000,000-line log takes about 0.1 s with them (see docs/performance.md).
    private const int BlockSize = 1 << 20;
    // A line longer than this is shown cut: the viewer never shows more than a screen's width of it.
    private const int MaxLineBytes = 64 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly List<long> _starts = [0];
    private readonly byte[] _block = new byte[BlockSize];
    private byte[]? _searchBlock;
    private long _blockAt = -1;
    private int _blockLength;
    private long _scanned;
    private long _length;

    public LogFile(string path)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _length = RandomAccess.GetLength(_handle);
    }

    public string Path { get; }

    /// <summary>Whether every line start up to the end of the file (as last measured) is known.</summary>
    public bool FullyIndexed => _scanned >= _length;

    /// <summary>The lines known so far: every complete line found, and a last line without its newline once the end is reached.</summary>
    public int KnownLines => _starts.Count - 1 + (FullyIndexed && _starts[^1] < _length ? 1 : 0);

    /// <summary>
    /// How many times the file was found cut shorter (<see cref="Refresh"/>): line numbers from before a cut mean nothing
    /// after it, so a <see cref="LogView"/> starts over when this changes.
    /// </summary>
    public int Cuts { get; private set; }

    /// <summary>Looks at the file's length again; true when it grew (or was cut, which starts the index over).</summary>
    public bool Refresh()
    {
        var length = RandomAccess.GetLength(_handle);
        if (length == _length) return false;
        if (length < _length)
        {
            _starts.Clear();
            _starts.Add(0);
            _scanned = 0;
            Cuts++;
        }
        _length = length;
        _blockAt = -1;
        return true;
    }

    /// <summary>Indexes until line <paramref name="line"/> is known or the file ends; true when it exists.</summary>
    public bool Has(int line)
    {
        while (KnownLines <= line && !FullyIndexed) IndexBlock();
        return line < KnownLines;
    }

    /// <summary>Indexes the whole file (the end of the log, a line count).</summary>
    public int CountAll()
    {
        while (!FullyIndexed) IndexBlock();
        return KnownLines;
    }

    /// <summary>The line holding byte <paramref name="offset"/>, indexing as far as needed.</summary>
    public int LineAt(long offset)
    {
        while (_scanned <= offset && !FullyIndexed) IndexBlock();
        var index = _starts.BinarySearch(offset);
        return index >= 0 ? index : ~index - 1;
    }

    /// <summary>Line <paramref name="line"/> (known) without its newline, decoded; very long lines are cut.</summary>
    public string Line(int line)
    {
        var start = _starts[line];
        var end = line + 1 < _starts.Count ? _starts[line + 1] - 1 : _length;
        var length = (int)Math.Min(end - start, MaxLineBytes);
        var bytes = Bytes(start, length);
        if (bytes.Length > 0 && bytes[^1] == '\r') bytes = bytes[..^1];
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>
    /// The first line at or after <paramref name="fromLine"/> holding a match of <paramref name="search"/> that
    /// <paramref name="accept"/> takes (the viewer's filter: a hidden line is passed over in the same pass), or -1 at the
    /// end of the file. Reads forward in blocks into one reused buffer and searches the bytes themselves; blocks overlap by
    /// the longest needle less one, so a match across a block boundary is found; <paramref name="keepGoing"/> is asked
    /// between blocks (a key press stops the search).
    /// </summary>
    public int Find(LogSearch search, int fromLine, Func<int, bool> accept, Func<int, bool> keepGoing)
    {
        if (search.Longest == 0 || !Has(fromLine)) return -1;
        _searchBlock ??= new byte[BlockSize];
        var from = _starts[fromLine];
        while (from < _length)
        {
            var at = from;
            var read = RandomAccess.Read(_handle, _searchBlock, at);
            if (read <= 0) break;
            var block = _searchBlock.AsSpan(0, read);
            while (from - at < read && search.IndexIn(block[(int)(from - at)..]) is >= 0 and var hit)
            {
                var line = LineAt(from + hit);
                if (accept(line)) return line;
                // Hidden: on from the next line (its other matches are hidden too).
                from = Has(line + 1) ? _starts[line + 1] : _length;
            }
            if (at + read >= _length) break;
            from = Math.Max(from, at + read - (search.Longest - 1));
            if (from <= at) from = at + read;
            if (!keepGoing(LineAt(from))) return -1;
        }
        return -1;
    }

    public void Dispose() => _handle.Dispose();

    private void IndexBlock()
    {
        var read = RandomAccess.Read(_handle, _block, _scanned);
        _blockAt = -1;
        if (read <= 0)
        {
            _scanned = _length;
            return;
        }
        var span = _block.AsSpan(0, read);
        var offset = 0;
        while (span[offset..].IndexOf((byte)'\n') is >= 0 and var next)
        {
            offset += next + 1;
            _starts.Add(_scanned + offset);
        }
        _scanned += read;
        if (_scanned > _length) _length = _scanned;
    }

    private ReadOnlySpan<byte> Bytes(long start, int length)
    {
        if (_blockAt < 0 || start < _blockAt || start + length > _blockAt + _blockLength)
        {
            _blockAt = start;
            _blockLength = RandomAccess.Read(_handle, _block, start);
        }
        var from = (int)(start - _blockAt);
        return _block.AsSpan(from, Math.Min(length, _blockLength - from));
    }
}
